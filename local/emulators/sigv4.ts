import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  ALGORITHM_IDENTIFIER,
  createScope,
  getCanonicalHeaders,
  getSigningKey,
  SignatureV4Base,
  UNSIGNED_PAYLOAD,
  type SignatureV4CryptoInit,
} from '@smithy/signature-v4';
import type { LocalCredentials } from '../credentials';

/**
 * Verifies AWS Signature Version 4 on requests to the local emulators, as AWS does:
 * the canonical request is rebuilt from the request as received (method, path, query,
 * the signed headers only, the payload hash), and the expected signature is computed by
 * the SDK's own signer code (@smithy/signature-v4: canonical query and headers, string to
 * sign, signing key, with its key cache), then compared in constant time.
 *
 * Header auth (`Authorization: AWS4-HMAC-SHA256 ...`) must be within 15 minutes of the
 * clock; presigned URLs (`X-Amz-Algorithm`, ... `X-Amz-Signature`; S3 only) until their
 * `X-Amz-Date` + `X-Amz-Expires`. The result says why a request was refused; the caller
 * answers in its protocol's error shape.
 */

export type SigV4FailureKind =
  | 'missing' // no Authorization header, no presigned query
  | 'malformed' // an auth header or query that cannot be read
  | 'unsupported' // SigV2, another algorithm, two mechanisms at once, session tokens
  | 'scope' // a credential scope for another region or service
  | 'unknown-key'
  | 'mismatch'
  | 'skewed' // header auth outside the 15-minute window
  | 'expired' // a presigned URL past its expiry
  | 'not-yet-valid'; // a presigned URL dated in the future

export interface SigV4Failure {
  readonly kind: SigV4FailureKind;
  /** Safe to return to the client (names, dates, never a secret or a signature it did not send). */
  readonly message: string;
}

export type SigV4Result =
  | { readonly ok: true; readonly service: string; readonly presigned: boolean; readonly payloadHash: string }
  | { readonly ok: false; readonly failure: SigV4Failure };

export interface SigV4VerifierOptions {
  readonly credentials: LocalCredentials;
  readonly region: string;
  /** Services a credential scope may name (`s3`; `dynamodb`; `events`, `secretsmanager`). */
  readonly services: readonly string[];
  /**
   * S3's rules: presigned URLs are accepted (with UNSIGNED-PAYLOAD), the path is
   * canonicalized per segment without double encoding, and header auth must sign
   * `x-amz-content-sha256`, whose value is the payload hash. Otherwise the payload hash
   * is the SHA-256 of the body the caller read.
   */
  readonly s3: boolean;
  readonly now?: () => number;
}

/** The parts of a request the signature covers. */
export interface SignedRequest {
  readonly method: string;
  /** As received: path and query, percent-encoded as the client sent them. */
  readonly url: string;
  /** Every value of every header (node's `headersDistinct`). */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
}

export const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 3600;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;
const PRESIGN_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

/** The request of a node server as the verifier reads it. */
export function signedRequestOf(req: IncomingMessage): SignedRequest {
  return { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headersDistinct };
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** node:crypto as the SDK's hash interface: `new Sha256()` hashes, `new Sha256(key)` is an HMAC. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not reusable');
  }
}
/** The hash the SDK's signer takes; tests sign their requests with it too. */
export const SHA256 = NodeSha256 as unknown as SignatureV4CryptoInit['sha256'];

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

interface CanonicalInput {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
}

/** The SDK signer's canonical request and string to sign, fed the request as received. */
class ExpectedSignature extends SignatureV4Base {
  constructor(uriEscapePath: boolean) {
    // Region, service and credentials are given per request below; these are not used.
    super({ service: 'unused', region: 'unused', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: SHA256, uriEscapePath });
  }

  async compute(
    input: CanonicalInput,
    signedHeaders: ReadonlySet<string>,
    payloadHash: string,
    longDate: string,
    scope: { readonly shortDate: string; readonly region: string; readonly service: string },
    credentials: LocalCredentials,
  ): Promise<string> {
    const request = { method: input.method, protocol: 'http:', hostname: '', path: input.path, query: input.query, headers: input.headers };
    // Only signed headers are passed in; signableHeaders keeps those the SDK never signs itself (expect, ...) when a client did.
    const canonicalHeaders = getCanonicalHeaders(request, undefined, signedHeaders as Set<string>);
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    const stringToSign = await this.createStringToSign(
      longDate,
      createScope(scope.shortDate, scope.region, scope.service),
      canonicalRequest,
      ALGORITHM_IDENTIFIER,
    );
    const key = await getSigningKey(SHA256, credentials, scope.shortDate, scope.region, scope.service);
    const hmac = new NodeSha256(key);
    hmac.update(stringToSign);
    return Buffer.from(await hmac.digest()).toString('hex');
  }
}

interface Credential {
  readonly accessKeyId: string;
  readonly shortDate: string;
  readonly region: string;
  readonly service: string;
}

const fail = (kind: SigV4FailureKind, message: string): SigV4Result => ({ ok: false, failure: { kind, message } });

export class SigV4Verifier {
  private readonly expected: ExpectedSignature;
  private readonly now: () => number;

  constructor(private readonly options: SigV4VerifierOptions) {
    // S3 paths are canonicalized here (per segment, once); other services' paths are
    // double-encoded by the SDK signer on both sides.
    this.expected = new ExpectedSignature(!options.s3);
    this.now = options.now ?? Date.now;
  }

  /** `bodySha256` (hex): the body's hash, required for services other than S3. */
  async verify(request: SignedRequest, bodySha256?: string): Promise<SigV4Result> {
    const queryStart = request.url.indexOf('?');
    const rawPath = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
    if (!rawPath.startsWith('/')) return fail('malformed', 'The request target must be a path.');
    const query = parseQuery(queryStart < 0 ? '' : request.url.slice(queryStart + 1));
    if (!query) return fail('malformed', 'The query string is not valid percent-encoding.');
    const path = this.options.s3 ? canonicalS3Path(rawPath) : rawPath;
    if (path === undefined) return fail('malformed', 'The path is not valid percent-encoding.');

    const authorization = request.headers.authorization;
    const presigned = query['X-Amz-Algorithm'] !== undefined;
    if (query.Signature !== undefined || query.AWSAccessKeyId !== undefined) {
      return fail('unsupported', 'Signature Version 2 is not supported locally; sign with AWS4-HMAC-SHA256.');
    }
    if (authorization && presigned) {
      return fail('unsupported', 'Only one auth mechanism allowed: the Authorization header or the X-Amz-Algorithm query parameter.');
    }
    if (request.headers['x-amz-security-token'] || query['X-Amz-Security-Token'] !== undefined) {
      return fail('unsupported', 'The local commons issues no session tokens.');
    }
    if (presigned) {
      if (!this.options.s3) return fail('unsupported', 'Presigned URLs are accepted by S3 only.');
      return this.verifyPresigned(request, path, query);
    }
    if (!authorization) return fail('missing', 'Access Denied');
    if (authorization.length !== 1) return fail('malformed', 'One Authorization header is allowed.');
    return this.verifyHeader(request, path, query, authorization[0] ?? '', bodySha256);
  }

  private async verifyHeader(
    request: SignedRequest,
    path: string,
    query: Record<string, string | string[]>,
    authorization: string,
    bodySha256: string | undefined,
  ): Promise<SigV4Result> {
    const space = authorization.indexOf(' ');
    const algorithm = space < 0 ? authorization : authorization.slice(0, space);
    if (algorithm !== ALGORITHM_IDENTIFIER) {
      return fail('unsupported', `The authorization mechanism ${algorithm.slice(0, 32)} is not supported; use ${ALGORITHM_IDENTIFIER}.`);
    }
    const fields = new Map<string, string>();
    for (const part of authorization.slice(space + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credentialField = fields.get('Credential');
    const signedHeaderList = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (!credentialField || !signedHeaderList || !signature) {
      return fail('malformed', 'The authorization header is malformed: it needs Credential, SignedHeaders and Signature.');
    }
    const amzDate = single(request.headers['x-amz-date']);
    if (!amzDate) return fail('malformed', 'Header auth needs one X-Amz-Date header.');
    const signedHeaders = new Set(signedHeaderList.split(';'));
    if (!signedHeaders.has('x-amz-date')) return fail('malformed', 'X-Amz-Date must be a signed header.');

    let payloadHash: string;
    if (this.options.s3) {
      const declared = single(request.headers['x-amz-content-sha256']);
      if (!declared || !signedHeaders.has('x-amz-content-sha256')) {
        return fail('malformed', 'Missing required header for this request: x-amz-content-sha256 (signed).');
      }
      payloadHash = declared;
    } else {
      if (bodySha256 === undefined) throw new Error('the body hash is required for services other than S3');
      // The body as received, whatever x-amz-content-sha256 claims: another body cannot match the signature.
      payloadHash = bodySha256;
    }

    const date = parseAmzDate(amzDate);
    if (date === undefined) return fail('malformed', 'X-Amz-Date must be of the form YYYYMMDDTHHMMSSZ.');
    const now = this.now();
    if (Math.abs(now - date) > MAX_SKEW_MS) {
      return fail('skewed', `The difference between the request time (${amzDate}) and the server's time is larger than 15 minutes.`);
    }
    return this.check(request, path, query, {
      credentialField,
      signedHeaders,
      signedHeaderList,
      signature,
      amzDate,
      payloadHash,
      presigned: false,
    });
  }

  private async verifyPresigned(request: SignedRequest, path: string, query: Record<string, string | string[]>): Promise<SigV4Result> {
    const params: Partial<Record<(typeof PRESIGN_PARAMS)[number], string>> = {};
    for (const name of PRESIGN_PARAMS) {
      const value = query[name];
      if (typeof value !== 'string') {
        return fail('malformed', `Query-string authentication version 4 requires one each of ${PRESIGN_PARAMS.join(', ')}.`);
      }
      params[name] = value;
    }
    if (params['X-Amz-Algorithm'] !== ALGORITHM_IDENTIFIER) return fail('unsupported', `X-Amz-Algorithm must be ${ALGORITHM_IDENTIFIER}.`);
    const amzDate = params['X-Amz-Date'] as string;
    const date = parseAmzDate(amzDate);
    if (date === undefined) return fail('malformed', 'X-Amz-Date must be of the form YYYYMMDDTHHMMSSZ.');
    const expiresText = params['X-Amz-Expires'] as string;
    const expires = /^\d{1,7}$/.test(expiresText) ? Number(expiresText) : NaN;
    if (!(expires >= 1 && expires <= MAX_PRESIGNED_EXPIRES_S)) {
      return fail('malformed', `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_EXPIRES_S}.`);
    }
    const signedHeaderList = params['X-Amz-SignedHeaders'] as string;
    const result = await this.check(request, path, query, {
      credentialField: params['X-Amz-Credential'] as string,
      signedHeaders: new Set(signedHeaderList.split(';')),
      signedHeaderList,
      signature: params['X-Amz-Signature'] as string,
      amzDate,
      // S3 never hashes the body of a presigned request.
      payloadHash: UNSIGNED_PAYLOAD,
      presigned: true,
    });
    if (!result.ok) return result;
    // Checked after the signature, so an altered expiry is reported as tampering.
    const now = this.now();
    if (now > date + expires * 1000) return fail('expired', 'Request has expired');
    if (date - now > MAX_SKEW_MS) return fail('not-yet-valid', 'Request is not valid yet');
    return result;
  }

  private async check(
    request: SignedRequest,
    path: string,
    query: Record<string, string | string[]>,
    auth: {
      credentialField: string;
      signedHeaders: ReadonlySet<string>;
      signedHeaderList: string;
      signature: string;
      amzDate: string;
      payloadHash: string;
      presigned: boolean;
    },
  ): Promise<SigV4Result> {
    const credential = parseCredential(auth.credentialField);
    if (!credential) return fail('malformed', 'The credential must be <access key>/<YYYYMMDD>/<region>/<service>/aws4_request.');
    if (credential.accessKeyId !== this.options.credentials.accessKeyId) {
      return fail('unknown-key', 'The AWS Access Key Id you provided does not exist in our records.');
    }
    if (credential.region !== this.options.region) {
      return fail(
        'scope',
        `The credential scope names the region '${credential.region.slice(0, 32)}'; expecting '${this.options.region}'.`,
      );
    }
    if (!this.options.services.includes(credential.service)) {
      return fail(
        'scope',
        `The credential scope names the service '${credential.service.slice(0, 32)}'; expecting ${this.options.services.map((s) => `'${s}'`).join(' or ')}.`,
      );
    }
    if (credential.shortDate !== auth.amzDate.slice(0, 8))
      return fail('malformed', 'The credential scope date is not the date of X-Amz-Date.');
    const list = [...auth.signedHeaders];
    // The canonical list is sorted, lower case, without duplicates: anything else was not signed by a SigV4 signer.
    if (
      list.some((h, i) => h === '' || h !== h.toLowerCase() || (i > 0 && h <= (list[i - 1] as string))) ||
      list.join(';') !== auth.signedHeaderList
    ) {
      return fail('malformed', 'SignedHeaders must be the sorted, lower-case names of the signed headers.');
    }
    if (!auth.signedHeaders.has('host')) return fail('malformed', 'The host header must be signed.');
    if (!HEX_SIGNATURE.test(auth.signature)) return fail('mismatch', signatureMismatch);

    const headers = Object.create(null) as Record<string, string>;
    for (const name of auth.signedHeaders) {
      const values = request.headers[name];
      // A signed header missing from the request leaves it out of the canonical request: the signature cannot match.
      if (values !== undefined) headers[name] = values.map((v) => v.trim()).join(',');
    }
    const expected = await this.expected.compute(
      { method: request.method, path, query, headers },
      auth.signedHeaders,
      auth.payloadHash,
      auth.amzDate,
      credential,
      this.options.credentials,
    );
    if (!timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(auth.signature, 'latin1')))
      return fail('mismatch', signatureMismatch);
    return { ok: true, service: credential.service, presigned: auth.presigned, payloadHash: auth.payloadHash };
  }
}

const signatureMismatch =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

function single(values: readonly string[] | undefined): string | undefined {
  return values?.length === 1 ? values[0] : undefined;
}

function parseAmzDate(text: string): number | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  // Rejects 20261340T... and the like, which Date.UTC would roll over.
  return new Date(time).toISOString().replace(/[-:]|\.\d{3}/g, '') === text ? time : undefined;
}

function parseCredential(text: string): Credential | undefined {
  const parts = text.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, shortDate, region, service] = parts as [string, string, string, string];
  if (!accessKeyId || !/^\d{8}$/.test(shortDate) || !region || !service) return undefined;
  return { accessKeyId, shortDate, region, service };
}

/** Query parameters, decoded once ('+' stays '+'), in a prototype-free record; undefined on bad encoding. */
export function parseQuery(raw: string): Record<string, string | string[]> | undefined {
  const query = Object.create(null) as Record<string, string | string[]>;
  if (raw === '') return query;
  try {
    for (const pair of raw.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
      const existing = query[key];
      query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
  } catch {
    return undefined;
  }
  return query;
}

/**
 * S3's canonical URI: each segment of the path as received decoded once and encoded
 * once with SigV4's rules (unreserved characters stay), so `a%20b`, `a b` or `%7E`/`~`
 * sign alike and nothing is encoded twice.
 */
export function canonicalS3Path(rawPath: string): string | undefined {
  try {
    return rawPath
      .split('/')
      .map((segment) => uriEncode(decodeURIComponent(segment)))
      .join('/');
  } catch {
    return undefined;
  }
}

function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A refusal as the AWS JSON protocols (DynamoDB, EventBridge, Secrets Manager) answer it. */
export function jsonAuthError(failure: SigV4Failure): { status: number; code: string; message: string } {
  switch (failure.kind) {
    case 'missing':
      return { status: 400, code: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' };
    case 'unknown-key':
      return { status: 400, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    case 'malformed':
    case 'scope':
      return { status: 400, code: 'IncompleteSignatureException', message: failure.message };
    case 'unsupported':
      return { status: 400, code: 'InvalidSignatureException', message: failure.message };
    case 'mismatch':
    case 'skewed':
    case 'expired':
    case 'not-yet-valid':
      return {
        status: 400,
        code: 'InvalidSignatureException',
        message: failure.kind === 'mismatch' ? signatureMismatch.replace('key', 'AWS Secret Access Key') : failure.message,
      };
  }
}
