import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { TransferError } from './retry';

/**
 * PUT of bytes already in memory to a presigned URL, over node:http(s) with keep-alive connections.
 * Why not fetch: undici copies a Buffer body twice before it reaches the socket (a copy of the bytes
 * held by the view, then a clone per chunk of the stream it makes of them), a megabyte of garbage per
 * 0.5 MB CT slice that the upload client's garbage collector then spends its time on. Here the socket
 * writes from the caller's buffer: it must stay unchanged until the promise settles.
 */
const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/** As undici's default body and headers timeouts: a connection silent this long is given up (and retried). */
const IDLE_TIMEOUT_MS = 300_000;

/**
 * Sends `body` with a Content-Length of its length; resolves with the answer's status and ETag once the
 * request is over (its socket no longer reads from `body`). A connection that fails or is cut before the
 * whole answer is read rejects with a TransferError of status 0 (retryable).
 */
export function putBytes(url: string, body: Uint8Array): Promise<{ status: number; etag: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
  if (!send) return Promise.reject(new Error('a presigned URL is http or https'));
  return new Promise((resolve, reject) => {
    let answer: { status: number; etag: string } | undefined;
    let failure: Error | undefined;
    const request: ClientRequest = send(
      target,
      { method: 'PUT', agent: agents[target.protocol as keyof typeof agents], headers: { 'content-length': body.byteLength } },
      (response: IncomingMessage) => {
        response.on('end', () => {
          const etag = response.headers.etag;
          answer = { status: response.statusCode ?? 0, etag: typeof etag === 'string' ? etag : '' };
        });
        response.on('error', (error) => (failure ??= error));
        response.resume();
      },
    );
    request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(new Error('the connection was silent too long')));
    request.on('error', (error) => (failure ??= error));
    // 'close' comes last, after the answer's end or the connection's failure.
    request.on('close', () => {
      if (answer && !failure) resolve(answer);
      else reject(new TransferError(0, `upload failed before an answer (${connectionFailure(failure)})`));
    });
    request.end(body);
  });
}

/** A network error's code (ECONNRESET, ECONNREFUSED, ...), never a message that might carry a URL. */
function connectionFailure(error: Error | undefined): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'connection closed';
}
