import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { corsAnswerHeaders, matchingRule, preflightHeaders, requestedHeaders, type S3CorsRule } from './s3-cors';
import { signedRequestOf, type SigV4Failure, type SigV4Verifier } from './sigv4';
import { s3RequestClass, type UsageMeter } from '../usage-meter';

/**
 * The HTTP front of the local S3: every request must carry a valid SigV4 signature
 * (header or presigned URL) of the local key, with a body framed by Content-Length,
 * before it reaches the emulator's handler. Answers refusals in S3's XML error shape and
 * CORS by each bucket's rules, as S3 does (`s3-cors.ts`). Verification reads headers alone: bodies stream
 * through untouched, and an `Expect: 100-continue` upload is refused before it is sent.
 */

export interface S3FrontOptions {
  readonly verifier: SigV4Verifier;
  /** Each bucket's CORS rules, in order; a bucket not named has no CORS configuration. */
  readonly bucketCors: ReadonlyMap<string, readonly S3CorsRule[]>;
  /** The emulator's own request handler, called only for verified requests. */
  readonly handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /**
   * Tried first for verified requests (`s3-objects.ts`): answers and resolves true, or resolves false having
   * read nothing, and `handle` answers.
   */
  readonly direct?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
  readonly log: (message: string) => void;
  /** Counts each verified request by its price class (bench cost). */
  readonly meter?: Pick<UsageMeter, 's3Request'>;
}

export interface S3ErrorReply {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export function createS3Front(options: S3FrontOptions): http.Server {
  const serve = (req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean) => {
    handleRequest(req, res, expectsContinue).catch((error: unknown) => {
      options.log(`s3 front: ${error instanceof Error ? error.name : 'Error'}`);
      if (!res.headersSent)
        replyS3Error(req, res, { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' });
      else res.destroy();
    });
  };

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean): Promise<void> {
    const origin = req.headers.origin;
    const rules = options.bucketCors.get(bucketOf(req.url)) ?? [];
    if (req.method === 'OPTIONS') {
      preflight(req, res, rules);
      return;
    }
    // S3 sends a matching rule's headers with errors too, so a page can read why it was refused.
    const rule = origin === undefined ? undefined : matchingRule(rules, { origin, method: req.method ?? 'GET' });
    if (rule && origin !== undefined)
      for (const [name, value] of Object.entries(corsAnswerHeaders(rule, origin))) res.setHeader(name, value);
    const result = await options.verifier.verify(signedRequestOf(req));
    if (!result.ok) {
      replyS3Error(req, res, s3Error(result.failure, /[?&]X-Amz-Algorithm=/.test(req.url ?? '')));
      return;
    }
    if (/^STREAMING-/.test(result.payloadHash) || /aws-chunked/i.test(req.headers['content-encoding'] ?? '')) {
      // The seed signature is valid, but the emulator would store the chunk framing as data.
      replyS3Error(req, res, {
        status: 501,
        code: 'NotImplemented',
        message: "aws-chunked uploads are not supported locally; set requestChecksumCalculation: 'WHEN_REQUIRED'.",
      });
      return;
    }
    const framing = framingProblem(req);
    if (framing) {
      replyS3Error(req, res, framing);
      return;
    }
    if (expectsContinue) res.writeContinue();
    options.meter?.s3Request(s3RequestClass(req.method ?? 'GET', req.url ?? '/'));
    if (options.direct && (await options.direct(req, res))) return;
    options.handle(req, res);
  }

  const server = http.createServer((req, res) => serve(req, res, false));
  // Without this listener node answers 100 Continue at once, before the signature is checked.
  server.on('checkContinue', (req, res) => serve(req, res, true));
  return server;
}

/**
 * The body is exactly Content-Length bytes (node's parser enforces the length it
 * announces), never chunked: a signed `content-length` then binds the size of the upload.
 */
function framingProblem(req: http.IncomingMessage): S3ErrorReply | undefined {
  if (req.headers['transfer-encoding'] !== undefined) {
    return {
      status: 411,
      code: 'MissingContentLength',
      message: 'You must provide the Content-Length HTTP header (chunked transfer encoding is not accepted).',
    };
  }
  if ((req.method === 'PUT' || req.method === 'POST') && req.headers['content-length'] === undefined) {
    return { status: 411, code: 'MissingContentLength', message: 'You must provide the Content-Length HTTP header.' };
  }
  return undefined;
}

/** The bucket of a path-style request (`/bucket/key`), the only style the emulator serves. */
function bucketOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0]!.split('/')[1] ?? '';
}

/** A preflight, answered as S3 answers it: never signed, judged by the bucket's rules alone. */
function preflight(req: http.IncomingMessage, res: http.ServerResponse, rules: readonly S3CorsRule[]): void {
  const origin = req.headers.origin;
  const method = req.headers['access-control-request-method'];
  if (rules.length === 0) {
    replyS3Error(req, res, { status: 403, code: 'AccessForbidden', message: 'CORSResponse: CORS is not enabled for this bucket.' });
    return;
  }
  if (origin === undefined || method === undefined) {
    replyS3Error(req, res, { status: 400, code: 'BadRequest', message: 'Insufficient information. Origin request header needed.' });
    return;
  }
  const request = { origin, method, requestHeaders: requestedHeaders(req.headers['access-control-request-headers']) };
  const rule = matchingRule(rules, request);
  if (!rule) {
    replyS3Error(req, res, { status: 403, code: 'AccessForbidden', message: 'CORSResponse: This CORS request is not allowed.' });
    return;
  }
  res.writeHead(200, { ...preflightHeaders(rule, request), 'Content-Length': '0' });
  res.end();
}

// The same SigV4 failures that sigv4.ts's jsonAuthError answers for the JSON protocols, but as S3's REST
// protocol answers them (403s and S3's error codes rather than 400s): two tables, not one logic.
function s3Error(failure: SigV4Failure, presigned: boolean): S3ErrorReply {
  const malformed = presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed';
  switch (failure.kind) {
    case 'missing':
    case 'expired':
    case 'not-yet-valid':
      return { status: 403, code: 'AccessDenied', message: failure.message };
    case 'unknown-key':
      return { status: 403, code: 'InvalidAccessKeyId', message: failure.message };
    case 'mismatch':
      return { status: 403, code: 'SignatureDoesNotMatch', message: failure.message };
    case 'skewed':
      return { status: 403, code: 'RequestTimeTooSkewed', message: failure.message };
    case 'unsupported':
      return { status: 400, code: 'InvalidRequest', message: failure.message };
    case 'malformed':
    case 'scope':
      return { status: 400, code: malformed, message: failure.message };
  }
}

/** The largest refused body read to its end (a CT slice, a radiograph) rather than cut off. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** Answers `error` in S3's XML error shape (the front's refusals and the direct object path's). */
export function replyS3Error(req: http.IncomingMessage, res: http.ServerResponse, error: S3ErrorReply): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${requestId}</RequestId></Error>`;
  // A refused upload's body is not stored. Up to DRAIN_LIMIT_BYTES it is read and dropped, so that a client
  // still sending it reads the refusal instead of a broken pipe (closing at once raced the client's writes:
  // fetch saw EPIPE, not the 403); a larger one, or one the client holds back for a 100 Continue that never
  // comes, ends the connection instead.
  const unread = !req.complete && (req.headers['content-length'] ?? '0') !== '0';
  const drained =
    unread &&
    req.headers.expect === undefined &&
    req.headers['transfer-encoding'] === undefined &&
    Number(req.headers['content-length']) <= DRAIN_LIMIT_BYTES;
  if (drained) req.resume();
  res.writeHead(error.status, {
    'Content-Type': 'application/xml',
    'x-amz-request-id': requestId,
    ...(req.method === 'HEAD' ? {} : { 'Content-Length': Buffer.byteLength(body) }),
    ...((unread && !drained) || req.headers['transfer-encoding'] !== undefined ? { Connection: 'close' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
