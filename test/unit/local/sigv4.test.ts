/**
 * The local emulators' SigV4 verifier on requests signed by the SDK's signer, without a
 * network: what it accepts, and each way it refuses (with the reason the fronts answer).
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { generateLocalCredentials } from '../../../local/credentials';
import { canonicalS3Path, parseQuery, SHA256, sha256Hex, SigV4Verifier, type SignedRequest } from '../../../local/emulators/sigv4';

const credentials = generateLocalCredentials();
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const s3Verifier = new SigV4Verifier({ credentials, region: 'us-east-1', services: ['s3'], s3: true, now: () => NOW });
const signer = (service = 's3', secretAccessKey = credentials.secretAccessKey) =>
  new SignatureV4({
    service,
    region: 'us-east-1',
    credentials: { ...credentials, secretAccessKey },
    sha256: SHA256,
    uriEscapePath: service !== 's3',
  });

const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface Signable {
  method?: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

/** The signed request as it arrives: query serialized as the SDK does, headers as node's headersDistinct. */
function received(signed: {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  headers: Record<string, string>;
}): SignedRequest {
  const query = Object.entries(signed.query ?? {}).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((x) => `${encode(k)}=${encode(String(x))}`),
  );
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = [value];
  return { method: signed.method, url: `${signed.path}${query.length ? `?${query.join('&')}` : ''}`, headers };
}

async function headerSigned(input: Signable, options: { service?: string; secret?: string; at?: number } = {}) {
  const signed = await signer(options.service, options.secret).sign(
    {
      method: input.method ?? 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: input.path,
      query: input.query ?? {},
      headers: { host: '127.0.0.1:4566', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...input.headers },
      ...(input.body !== undefined ? { body: input.body } : {}),
    },
    { signingDate: new Date(options.at ?? NOW) },
  );
  return received(signed as never);
}

async function presigned(input: Signable, options: { expiresIn?: number; at?: number } = {}) {
  const signed = await signer().presign(
    // As @aws-sdk/s3-request-presigner does: the payload is unsigned (the header is hoisted into the query).
    {
      method: input.method ?? 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: input.path,
      query: input.query ?? {},
      headers: { host: '127.0.0.1:4566', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...input.headers },
    },
    { expiresIn: options.expiresIn ?? 300, signingDate: new Date(options.at ?? NOW) },
  );
  return received(signed as never);
}

const kind = async (request: SignedRequest, verifier = s3Verifier, body?: string) => {
  const result = await verifier.verify(request, body === undefined ? undefined : sha256Hex(body));
  return result.ok ? 'ok' : result.failure.kind;
};

describe('S3 requests', () => {
  it('accepts header-signed and presigned requests, whatever the key holds', async () => {
    for (const key of ['a b/c+d=e', "x!'()*~.dcm", 'Ünï/名前', '100%/x']) {
      const path = `/hilum-intake/${key.split('/').map(encode).join('/')}`;
      expect(await kind(await headerSigned({ path, query: { 'x-id': 'GetObject' } }))).toBe('ok');
      expect(await kind(await presigned({ path }))).toBe('ok');
    }
  });

  it('canonicalizes the path once: a key sent unencoded or as %7E signs as the SDK signed it', async () => {
    const signed = await headerSigned({ path: '/hilum-intake/a%20b/~x' });
    expect(await kind({ ...signed, url: '/hilum-intake/a%20b/%7Ex' })).toBe('ok');
    expect(await kind({ ...signed, url: '/hilum-intake/a%2520b/~x' })).toBe('mismatch');
    expect(canonicalS3Path('/b/a%2Fb/%zz')).toBeUndefined();
    expect(canonicalS3Path('/b/a%2Fb/c d')).toBe('/b/a%2Fb/c%20d');
  });

  it('signs every query parameter, __proto__ and constructor included, without touching Object.prototype', async () => {
    const signed = await presigned({ path: '/hilum-intake/k', query: { constructor: 'x', uploads: '' } });
    expect(await kind(signed)).toBe('ok');
    expect(await kind({ ...signed, url: `${signed.url}&__proto__=polluted` })).toBe('mismatch');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(parseQuery('__proto__=a&b') as object)).toBeNull();
  });

  it('checks the signed headers only, and refuses a changed one', async () => {
    const signed = await headerSigned({
      method: 'PUT',
      path: '/hilum-intake/k',
      headers: { 'content-length': '10', 'x-amz-meta-site': 'a' },
    });
    expect(await kind({ ...signed, headers: { ...signed.headers, 'user-agent': ['anything'], 'x-unsigned': ['y'] } })).toBe('ok');
    expect(await kind({ ...signed, headers: { ...signed.headers, 'content-length': ['11'] } })).toBe('mismatch');
    expect(await kind({ ...signed, headers: { ...signed.headers, 'x-amz-meta-site': ['b'] } })).toBe('mismatch');
    const { 'x-amz-meta-site': _dropped, ...without } = signed.headers;
    expect(await kind({ ...signed, headers: without })).toBe('mismatch');
  });

  it('refuses a wrong secret, a foreign key, a skewed clock and expired or future presigned URLs', async () => {
    expect(await kind(await headerSigned({ path: '/b/k' }, { secret: 'wrong' }))).toBe('mismatch');
    const foreign = new SigV4Verifier({
      credentials: generateLocalCredentials(),
      region: 'us-east-1',
      services: ['s3'],
      s3: true,
      now: () => NOW,
    });
    expect(await kind(await headerSigned({ path: '/b/k' }), foreign)).toBe('unknown-key');
    expect(await kind(await headerSigned({ path: '/b/k' }, { at: NOW - 14 * 60_000 }))).toBe('ok');
    expect(await kind(await headerSigned({ path: '/b/k' }, { at: NOW - 16 * 60_000 }))).toBe('skewed');
    expect(await kind(await headerSigned({ path: '/b/k' }, { at: NOW + 16 * 60_000 }))).toBe('skewed');
    expect(await kind(await presigned({ path: '/b/k' }, { expiresIn: 60, at: NOW - 59_000 }))).toBe('ok');
    expect(await kind(await presigned({ path: '/b/k' }, { expiresIn: 60, at: NOW - 61_000 }))).toBe('expired');
    expect(await kind(await presigned({ path: '/b/k' }, { at: NOW + 16 * 60_000 }))).toBe('not-yet-valid');
  });

  it('refuses what it cannot read: no auth, two mechanisms, SigV2, bad dates, expiries, scopes and header lists', async () => {
    expect(await kind({ method: 'GET', url: '/b/k', headers: { host: ['h'] } })).toBe('missing');
    const url = await presigned({ path: '/b/k' });
    const header = await headerSigned({ path: '/b/k' });
    expect(await kind({ ...url, headers: header.headers })).toBe('unsupported');
    expect(await kind({ method: 'GET', url: '/b/k?AWSAccessKeyId=a&Signature=b&Expires=1', headers: {} })).toBe('unsupported');
    const q = (change: (p: URLSearchParams) => void) => {
      const [path, query] = url.url.split('?') as [string, string];
      const params = new URLSearchParams(query);
      change(params);
      return { ...url, url: `${path}?${params.toString().replace(/\+/g, '%20')}` };
    };
    expect(await kind(q((p) => p.set('X-Amz-Expires', '604801')))).toBe('malformed');
    expect(await kind(q((p) => p.set('X-Amz-Expires', '-1')))).toBe('malformed');
    expect(await kind(q((p) => p.set('X-Amz-Date', '20261340T120000Z')))).toBe('malformed');
    expect(await kind(q((p) => p.append('X-Amz-Signature', '0'.repeat(64))))).toBe('malformed');
    expect(await kind(q((p) => p.set('X-Amz-SignedHeaders', 'x-amz-date;host')))).toBe('malformed');
    expect(await kind(q((p) => p.set('X-Amz-Credential', (p.get('X-Amz-Credential') as string).replace('us-east-1', 'eu-west-1'))))).toBe(
      'scope',
    );
    expect(await kind(q((p) => p.set('X-Amz-Credential', (p.get('X-Amz-Credential') as string).replace('/s3/', '/dynamodb/'))))).toBe(
      'scope',
    );
    expect(await kind(q((p) => p.set('X-Amz-Security-Token', 't')))).toBe('unsupported');
    const noSha = { ...header, headers: { ...header.headers, 'x-amz-content-sha256': undefined } };
    expect(await kind(noSha)).toBe('malformed');
    expect(await kind({ ...header, headers: { ...header.headers, authorization: ['AWS AKID:sig'] } })).toBe('unsupported');
  });
});

describe('JSON-protocol requests', () => {
  const dynamodb = new SigV4Verifier({ credentials, region: 'us-east-1', services: ['dynamodb'], s3: false, now: () => NOW });
  const call = (body: string) =>
    headerSigned(
      {
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          'x-amz-content-sha256': sha256Hex(body),
        },
        body,
      },
      { service: 'dynamodb' },
    );

  it('binds the body: the same signature on another body is refused', async () => {
    const signed = await call('{}');
    expect(await kind(signed, dynamodb, '{}')).toBe('ok');
    expect(await kind(signed, dynamodb, '{"Limit":1}')).toBe('mismatch');
  });

  it('refuses presigned URLs and a scope for another service', async () => {
    expect(await kind(await presigned({ path: '/' }), dynamodb, '')).toBe('unsupported');
    expect(await kind(await headerSigned({ path: '/', body: '' }), dynamodb, '')).toBe('scope');
  });
});
