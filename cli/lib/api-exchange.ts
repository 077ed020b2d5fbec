import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * One request to the hilum API and its whole answer, over node:http(s) with keep-alive connections.
 * Why not fetch: a CLI process's first fetch loads and compiles Node's bundled undici, ~50-65 ms of CPU
 * (15 small requests: ~85 ms by fetch against ~20 by node:http, same process, same server), which
 * every `hilum upload` paid once for its few JSON calls. What fetch did that callers saw is kept:
 * `accept: *\/*`, redirects followed (a DICOMweb route answers 303), the body decoded as UTF-8.
 */
const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/** As undici's default headers and body timeouts: a connection silent this long is given up. */
const IDLE_TIMEOUT_MS = 300_000;
/** As fetch's redirect limit. */
const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface ApiAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly text: string;
}

/** No answer came (refused, reset, unknown host, TLS, silence): `cause` is the socket's error, `cause.code` its code. */
export class NoAnswer extends Error {
  override readonly name = 'NoAnswer';
  constructor(override readonly cause: Error) {
    super('no answer from the API');
  }
}

/** An answer began but was cut before its end: the request may have had its effect. */
export class AnswerCut extends Error {
  override readonly name = 'AnswerCut';
  constructor(override readonly cause: Error) {
    super(`the API's answer was cut short (${(cause as NodeJS.ErrnoException).code ?? 'connection closed'})`);
  }
}

export interface ApiRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Sends `request` to `url`, following redirects as fetch does; resolves with the final answer whatever its status. */
export async function exchange(url: URL, request: ApiRequest): Promise<ApiAnswer> {
  let target = url;
  let current = request;
  for (let redirects = 0; ; redirects += 1) {
    const { answer, location } = await once(target, current);
    if (!location || redirects >= MAX_REDIRECTS) return answer;
    const next = new URL(location, target);
    // As fetch: a 303, or a 301/302 of a POST, becomes a GET without a body; the bearer token stays within the origin.
    const toGet = answer.status === 303 || ((answer.status === 301 || answer.status === 302) && current.method.toUpperCase() === 'POST');
    const headers = Object.fromEntries(
      Object.entries(current.headers).filter(
        ([name]) => !(toGet && name === 'content-type') && !(next.origin !== target.origin && name === 'authorization'),
      ),
    );
    current = toGet ? { method: current.method.toUpperCase() === 'HEAD' ? 'HEAD' : 'GET', headers } : { ...current, headers };
    target = next;
  }
}

function once(url: URL, request: ApiRequest): Promise<{ answer: ApiAnswer; location?: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
  if (!send) return Promise.reject(new Error('the API URL is http or https'));
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = send(
      url,
      {
        method: request.method,
        agent: agents[url.protocol as keyof typeof agents],
        headers: { accept: '*/*', ...request.headers, ...(body ? { 'content-length': body.byteLength } : {}) },
      },
      (response: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        let ended = false;
        response.on('error', (error) => reject(new AnswerCut(error)));
        // Closed before its end without an error (the connection dropped): the promise must not wait forever.
        response.on('close', () => ended || reject(new AnswerCut(new Error('closed'))));
        response.on('end', () => {
          ended = true;
          const status = response.statusCode ?? 0;
          const location = REDIRECTS.has(status) ? response.headers.location : undefined;
          // TextDecoder as fetch's text(): UTF-8, a leading byte order mark dropped.
          const text = new TextDecoder().decode(Buffer.concat(chunks));
          resolve({ answer: { status, statusText: response.statusMessage ?? '', text }, ...(location ? { location } : {}) });
        });
      },
    );
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('the API was silent too long'), { code: 'ETIMEDOUT' })));
    req.on('error', (error) => reject(answered ? new AnswerCut(error) : new NoAnswer(error)));
    req.end(body);
  });
}
