/**
 * The local S3 emulator answers only requests signed (SigV4) with the local key: the
 * real SDK clients and presigned URLs work, anonymous, tampered, expired, skewed and
 * wrongly keyed requests are refused in S3's shape, bodies are framed by a
 * Content-Length that a presigned PUT can bind, and CORS allows no web page by default.
 * Everything goes over real HTTP to the front started by `startS3`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { generateLocalCredentials, type LocalCredentials } from '../../local/credentials';
import type { BusEvent } from '../../local/event-bus';
import { startS3, type S3Emulator } from '../../local/emulators/s3';

jest.setTimeout(60_000);

const BUCKETS = ['hilum-intake', 'hilum-quarantine', 'hilum-released'];
const OBJECTS: ReadonlyArray<readonly [string, string]> = [
  ['hilum-intake', 'intake/sub-1/file-1'],
  ['hilum-quarantine', 'originals/sub-1/file-1.dcm'],
  ['hilum-released', 'studies/2.25.1/2.25.2/2.25.3.dcm'],
];

let dataDir: string;
let credentials: LocalCredentials;
let s3e: S3Emulator;
let s3: S3Client;
const events: BusEvent[] = [];

const client = (overrides: Partial<S3ClientConfig> = {}) =>
  new S3Client({
    endpoint: s3e.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });

const text = async (key: string, bucket = 'hilum-intake') =>
  (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).then((r) => r.Body?.transformToString())) ?? '';

const errorCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const objectUrl = (bucket: string, key: string) => `${s3e.endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hilum-s3-auth-'));
  credentials = generateLocalCredentials();
  s3e = await startS3({
    dataDir,
    credentials,
    buckets: BUCKETS.map((name) => ({ role: name, logicalId: name, name, eventBridge: name === 'hilum-intake', cors: [] })),
    onEvent: (event) => events.push(event),
  });
  s3 = client();
  for (const [Bucket, Key] of OBJECTS) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.from(`original of ${Key}`) }));
});

afterAll(async () => {
  s3?.destroy();
  await s3e?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('anonymous requests', () => {
  it.each(OBJECTS)('cannot get, head, list, put or delete in %s (403 AccessDenied, S3 XML)', async (bucket, key) => {
    const get = await fetch(objectUrl(bucket, key));
    expect(get.status).toBe(403);
    expect(get.headers.get('content-type')).toBe('application/xml');
    const body = await get.text();
    expect(errorCode(body)).toBe('AccessDenied');
    expect(body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message><RequestId>/,
    );

    expect((await fetch(objectUrl(bucket, key), { method: 'HEAD' })).status).toBe(403);
    const list = await fetch(`${s3e.endpoint}/${bucket}?list-type=2`);
    expect(list.status).toBe(403);
    expect(errorCode(await list.text())).toBe('AccessDenied');
    expect(errorCode(await (await fetch(`${s3e.endpoint}/`)).text())).toBe('AccessDenied');

    const put = await fetch(objectUrl(bucket, key), { method: 'PUT', body: 'replaced' });
    expect(put.status).toBe(403);
    const del = await fetch(objectUrl(bucket, key), { method: 'DELETE' });
    expect(del.status).toBe(403);
    expect(await text(key, bucket)).toBe(`original of ${key}`);
  });

  it('cannot pass with a made-up Authorization header or SigV2 query', async () => {
    const [bucket, key] = OBJECTS[1] as [string, string];
    const forged = await fetch(objectUrl(bucket, key), {
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`,
        'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      },
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(
      (await fetch(`${objectUrl(bucket, key)}?AWSAccessKeyId=${credentials.accessKeyId}&Expires=9999999999&Signature=abc`)).status,
    ).toBe(400);
  });
});

describe('signed SDK calls', () => {
  const keys = ['plain/file.dcm', "space and (parens)/a+b=c!~*'.dcm", 'unicode/Ünïcødé 名前.dcm', 'percent/100%/x%2Fy'];

  it.each(keys)('put, head, get and list %j', async (key) => {
    await s3.send(new PutObjectCommand({ Bucket: 'hilum-intake', Key: key, Body: Buffer.from(`body of ${key}`) }));
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'hilum-intake', Key: key }))).ContentLength).toBe(
      Buffer.byteLength(`body of ${key}`),
    );
    expect(await text(key)).toBe(`body of ${key}`);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'hilum-intake', Prefix: key.split('/')[0] + '/' }));
    expect(listed.Contents?.map((c) => c.Key)).toContain(key);
  });

  it('copies, deletes in batches and uploads in parts (lib-storage), and the events still fire', async () => {
    await s3.send(new CopyObjectCommand({ Bucket: 'hilum-intake', Key: 'copy/b', CopySource: 'hilum-intake/plain/file.dcm' }));
    expect(await text('copy/b')).toBe('body of plain/file.dcm');

    const big = Buffer.alloc(11 * 1024 * 1024, 7);
    await new Upload({
      client: s3,
      params: { Bucket: 'hilum-intake', Key: 'multi/big.dcm', Body: Readable.from([big]) },
      partSize: 5 * 1024 * 1024,
    }).done();
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'hilum-intake', Key: 'multi/big.dcm' }))).ContentLength).toBe(big.length);

    const deleted = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'hilum-intake', Delete: { Objects: [{ Key: 'copy/b' }, { Key: 'multi/big.dcm' }] } }),
    );
    expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual(['copy/b', 'multi/big.dcm']);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'hilum-intake', Key: 'copy/b' }))).rejects.toMatchObject({ name: 'NotFound' });

    const reasons = (key: string) =>
      events
        .filter((e) => (e.detail as { object: { key: string } }).object.key === key)
        .map((e) => `${e['detail-type']}/${(e.detail as { reason: string }).reason}`);
    // (s3rver emits no event for a DeleteObjects batch.)
    expect(reasons('copy/b')).toEqual(['Object Created/CopyObject']);
    expect(reasons('multi/big.dcm')).toEqual(['Object Created/CompleteMultipartUpload']);
  });

  it('answers GET and HEAD with what s3rver last wrote (a copy onto itself with new metadata, a copy over it), never a remembered older answer', async () => {
    const key = 'rewritten/a.dcm';
    await s3.send(new PutObjectCommand({ Bucket: 'hilum-intake', Key: key, Body: 'first', Metadata: { v: '1' } }));
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'hilum-intake', Key: key }))).Metadata).toEqual({ v: '1' });
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'hilum-intake',
        Key: key,
        CopySource: `hilum-intake/${key}`,
        MetadataDirective: 'REPLACE',
        Metadata: { v: '2' },
      }),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'hilum-intake', Key: key }))).Metadata).toEqual({ v: '2' });
    const put = await s3.send(new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'rewritten/b.dcm', Body: 'second body' }));
    await s3.send(new CopyObjectCommand({ Bucket: 'hilum-intake', Key: key, CopySource: 'hilum-intake/rewritten/b.dcm' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'hilum-intake', Key: key }));
    expect([got.ETag, got.Metadata, await got.Body?.transformToString()]).toEqual([put.ETag, {}, 'second body']);
  });

  it('keeps objects across a restart: a fresh emulator on the same data directory answers their bytes, ETags, metadata and ranges alike', async () => {
    const restartDir = await mkdtemp(join(tmpdir(), 'hilum-s3-restart-'));
    const buckets = [{ role: 'intake', logicalId: 'Intake', name: 'hilum-intake', eventBridge: false, cors: [] }];
    let emulator = await startS3({ dataDir: restartDir, credentials, buckets });
    let signed = client({ endpoint: emulator.endpoint });
    try {
      const body = Buffer.from('bytes kept across a restart');
      const put = await signed.send(
        new PutObjectCommand({
          Bucket: 'hilum-intake',
          Key: 'kept/1.dcm',
          Body: body,
          ContentType: 'application/dicom',
          Metadata: { sha256: 'abc' },
        }),
      );
      expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
      signed.destroy();
      await emulator.stop();
      emulator = await startS3({ dataDir: restartDir, credentials, buckets });
      signed = client({ endpoint: emulator.endpoint });
      const head = await signed.send(new HeadObjectCommand({ Bucket: 'hilum-intake', Key: 'kept/1.dcm' }));
      expect([head.ETag, head.ContentLength, head.ContentType, head.Metadata]).toEqual([
        put.ETag,
        body.length,
        'application/dicom',
        { sha256: 'abc' },
      ]);
      const ranged = await signed.send(new GetObjectCommand({ Bucket: 'hilum-intake', Key: 'kept/1.dcm', Range: 'bytes=0-4' }));
      expect(await ranged.Body?.transformToString()).toBe('bytes');
      const listed = await signed.send(new ListObjectsV2Command({ Bucket: 'hilum-intake', Prefix: 'kept/' }));
      expect(listed.Contents?.map((c) => [c.Key, c.ETag, c.Size])).toEqual([['kept/1.dcm', put.ETag, body.length]]);
      await signed.send(new DeleteObjectCommand({ Bucket: 'hilum-intake', Key: 'kept/1.dcm' }));
      await expect(signed.send(new GetObjectCommand({ Bucket: 'hilum-intake', Key: 'kept/1.dcm' }))).rejects.toMatchObject({
        name: 'NoSuchKey',
      });
    } finally {
      signed.destroy();
      await emulator.stop();
      await rm(restartDir, { recursive: true, force: true });
    }
  });

  it('refuses a wrong secret (SignatureDoesNotMatch), an unknown key (InvalidAccessKeyId) and a skewed clock (RequestTimeTooSkewed)', async () => {
    const wrongSecret = client({
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: `${credentials.secretAccessKey}x` },
    });
    await expect(
      wrongSecret.send(new GetObjectCommand({ Bucket: 'hilum-quarantine', Key: 'originals/sub-1/file-1.dcm' })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    await expect(
      wrongSecret.send(new PutObjectCommand({ Bucket: 'hilum-released', Key: 'studies/x.dcm', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    wrongSecret.destroy();

    const s3rverDefault = client({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await expect(s3rverDefault.send(new ListObjectsV2Command({ Bucket: 'hilum-quarantine' }))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    });
    s3rverDefault.destroy();

    const skewed = client({ systemClockOffset: -20 * 60 * 1000 });
    await expect(skewed.send(new ListObjectsV2Command({ Bucket: 'hilum-quarantine' }))).rejects.toMatchObject({
      name: 'RequestTimeTooSkewed',
      $metadata: { httpStatusCode: 403 },
    });
    skewed.destroy();
  });

  it('refuses an aws-chunked upload (s3rver would store the framing) after checking its seed signature', async () => {
    const chunked = client({ requestChecksumCalculation: 'WHEN_SUPPORTED' });
    await expect(
      chunked.send(
        new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'chunked/a', Body: Readable.from([Buffer.from('abc')]), ContentLength: 3 }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 501 } });
    chunked.destroy();
    const forged = client({ requestChecksumCalculation: 'WHEN_SUPPORTED', credentials: { ...credentials, secretAccessKey: 'nope' } });
    await expect(
      forged.send(
        new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'chunked/a', Body: Readable.from([Buffer.from('abc')]), ContentLength: 3 }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    forged.destroy();
  });
});

describe('its own thread', () => {
  it('answers while the thread that started it is blocked: the commons’ handlers and s3rver do not wait on each other', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'hilum-intake', Key: 'intake/sub-1/file-1' }));
    const answer = join(dataDir, 'answered-while-blocked');
    const fetcher = `fetch(process.argv[1]).then((r) => r.text()).then((t) => {
      const fs = require('node:fs'); fs.writeFileSync(process.argv[2] + '.partial', t); fs.renameSync(process.argv[2] + '.partial', process.argv[2]); })`;
    const child = spawn(process.execPath, ['-e', fetcher, url, answer], { stdio: 'ignore' });
    try {
      // This thread does nothing else until the other process has its answer (or 15 s pass).
      const deadline = Date.now() + 15_000;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      while (!existsSync(answer) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 10);
      expect(existsSync(answer) && readFileSync(answer, 'utf8')).toBe('original of intake/sub-1/file-1');
    } finally {
      child.kill();
    }
  });

  it('hands each event to the calling thread before the answer to the request that made it, in S3’s order', async () => {
    const seen = () =>
      events.filter((e) => (e.detail as { object: { key: string } }).object.key === 'order/a').map((e) => e['detail-type']);
    await s3.send(new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'order/a', Body: 'a' }));
    expect(seen()).toEqual(['Object Created']);
    await s3.send(new DeleteObjectCommand({ Bucket: 'hilum-intake', Key: 'order/a' }));
    expect(seen()).toEqual(['Object Created', 'Object Deleted']);
  });
});

describe('a failing event subscriber', () => {
  it('is logged, and neither the request nor the process fails', async () => {
    const logged: string[] = [];
    const other = await startS3({
      dataDir,
      credentials,
      buckets: [{ role: 'intake', logicalId: 'Intake', name: 'hilum-intake', eventBridge: true, cors: [] }],
      onEvent: () => {
        throw new TypeError('subscriber failed');
      },
      log: (line) => logged.push(line),
    });
    const signed = client({ endpoint: other.endpoint });
    try {
      await signed.send(new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'subscriber/a', Body: 'a' }));
      expect(logged).toEqual([expect.stringMatching(/^s3: .*TypeError$/)]);
    } finally {
      signed.destroy();
      await other.stop();
    }
  });
});

describe('presigned URLs', () => {
  const key = 'originals/sub-1/file-1.dcm';
  const presignedGet = (options: { expiresIn?: number; signingDate?: Date } = {}) =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: 'hilum-quarantine', Key: key }), { expiresIn: 300, ...options });

  it('get and put with fetch', async () => {
    const get = await fetch(await presignedGet());
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(`original of ${key}`);

    const body = Buffer.from('uploaded with a presigned PUT');
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'presigned/put', ContentLength: body.length }), {
      expiresIn: 300,
    });
    expect(new URL(put).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect((await fetch(put, { method: 'PUT', body })).status).toBe(200);
    expect(await text('presigned/put')).toBe(body.toString());
  });

  it.each([
    [
      'a character of the key',
      (u: URL) => {
        u.pathname = u.pathname.replace('file-1', 'file-2');
      },
    ],
    [
      'a character of the signature',
      (u: URL) => {
        const s = u.searchParams.get('X-Amz-Signature') as string;
        u.searchParams.set('X-Amz-Signature', `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}`);
      },
    ],
    [
      'an added query parameter',
      (u: URL) => {
        u.searchParams.set('response-content-type', 'text/html');
      },
    ],
    [
      'the expiry',
      (u: URL) => {
        u.searchParams.set('X-Amz-Expires', '301');
      },
    ],
    [
      'the date',
      (u: URL) => {
        const d = u.searchParams.get('X-Amz-Date') as string;
        u.searchParams.set(
          'X-Amz-Date',
          d.replace(/\d(?=Z$)/, (c) => String((Number(c) + 1) % 10)),
        );
      },
    ],
    [
      'the bucket',
      (u: URL) => {
        u.pathname = u.pathname.replace('hilum-quarantine', 'hilum-released');
      },
    ],
  ])('changed in %s is refused (403 SignatureDoesNotMatch)', async (_what, change) => {
    const url = new URL(await presignedGet());
    change(url);
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(errorCode(await res.text())).toBe('SignatureDoesNotMatch');
  });

  it('an expired one is refused (403 Request has expired), one signed with another secret too', async () => {
    const expired = await fetch(await presignedGet({ expiresIn: 60, signingDate: new Date(Date.now() - 120_000) }));
    expect(expired.status).toBe(403);
    const body = await expired.text();
    expect(errorCode(body)).toBe('AccessDenied');
    expect(body).toContain('<Message>Request has expired</Message>');

    const other = client({ credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret' } });
    const forged = await fetch(
      await getSignedUrl(other, new GetObjectCommand({ Bucket: 'hilum-quarantine', Key: key }), { expiresIn: 300 }),
    );
    other.destroy();
    expect(forged.status).toBe(403);
    expect(errorCode(await forged.text())).toBe('SignatureDoesNotMatch');
  });
});

describe('upload size and framing', () => {
  it('a presigned PUT that signs content-length refuses a body of another length', async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'sized/declared-10', ContentLength: 10 }), {
      expiresIn: 300,
    });
    const bigger = await fetch(url, { method: 'PUT', body: Buffer.alloc(4000, 1) });
    expect(bigger.status).toBe(403);
    expect(errorCode(await bigger.text())).toBe('SignatureDoesNotMatch');
    expect((await fetch(url, { method: 'PUT', body: Buffer.alloc(9, 1) })).status).toBe(403);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'hilum-intake', Key: 'sized/declared-10' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('a chunked body is refused: 411 MissingContentLength, or 403 when content-length was signed', async () => {
    const chunks = [Buffer.alloc(10), Buffer.alloc(4000)];
    const unsized = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'sized/chunked' }), { expiresIn: 300 });
    const refused = await rawRequest(unsized, { method: 'PUT', headers: { 'transfer-encoding': 'chunked' } }, chunks);
    expect(refused.status).toBe(411);
    expect(errorCode(refused.body)).toBe('MissingContentLength');

    const sized = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'sized/chunked', ContentLength: 10 }), {
      expiresIn: 300,
    });
    expect((await rawRequest(sized, { method: 'PUT', headers: { 'transfer-encoding': 'chunked' } }, chunks)).status).toBe(403);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'hilum-intake', Key: 'sized/chunked' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('a body cut short of its Content-Length never replaces the object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'sized/kept', Body: 'the object before' }));
    const url = new URL(
      await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'sized/kept', ContentLength: 1000 }), { expiresIn: 300 }),
    );
    await new Promise<void>((resolve) => {
      const req = http.request(url, { method: 'PUT', headers: { 'content-length': 1000 } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100, 2), () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 300),
      );
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await text('sized/kept')).toBe('the object before');
  });

  it('an upload with Expect: 100-continue and no valid signature is refused before its body is sent', async () => {
    const outcome = await new Promise<{ continued: boolean; status?: number }>((resolve) => {
      let continued = false;
      const req = http.request(objectUrl('hilum-intake', 'sized/expect'), {
        method: 'PUT',
        headers: { expect: '100-continue', 'content-length': 5 },
      });
      req.on('continue', () => {
        continued = true;
        req.end('hello');
      });
      req.on('response', (res) => {
        res.resume();
        resolve({ continued, status: res.statusCode });
      });
      req.on('error', () => resolve({ continued }));
      req.flushHeaders();
    });
    expect(outcome).toEqual({ continued: false, status: 403 });
  });
});

describe('CORS', () => {
  it('allows no origin by default: preflights are refused and no Access-Control-Allow-Origin is sent', async () => {
    const preflight = await fetch(objectUrl('hilum-intake', 'intake/sub-1/file-1'), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'hilum-intake', Key: 'intake/sub-1/file-1' })), {
      headers: { origin: 'https://evil.example' },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a configured origin only, with that origin (never *)', async () => {
    const portal = 'http://localhost:5173';
    const other = await startS3({
      dataDir,
      credentials,
      corsOrigins: [portal],
      buckets: [{ role: 'intake', logicalId: 'Intake', name: 'hilum-intake', eventBridge: false, cors: [] }],
    });
    try {
      const url = `${other.endpoint}/hilum-intake/intake/sub-1/file-1`;
      const ok = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: portal, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(portal);
      expect(ok.headers.get('access-control-allow-headers')).toBe('content-type');
      const refused = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5174', 'access-control-request-method': 'PUT' },
      });
      expect(refused.status).toBe(403);
      // An origin allowed once the emulator runs (the portal's, known when the API listens).
      other.allowOrigin('http://localhost:5174');
      const later = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5174', 'access-control-request-method': 'PUT' },
      });
      expect(later.status).toBe(200);
      expect(later.headers.get('access-control-allow-origin')).toBe('http://localhost:5174');
      const signed = new S3Client({ endpoint: other.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
      const get = await fetch(await getSignedUrl(signed, new GetObjectCommand({ Bucket: 'hilum-intake', Key: 'intake/sub-1/file-1' })), {
        headers: { origin: portal },
      });
      signed.destroy();
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBe(portal);
    } finally {
      await other.stop();
    }
  });

  it("follows a bucket's own rules as S3 does: a GET/HEAD rule for * answers Origin: null, without credentials, and nothing else", async () => {
    const released = {
      role: 'released',
      logicalId: 'Released',
      name: 'hilum-released',
      eventBridge: false,
      cors: [
        { AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], ExposedHeaders: ['Content-Length'], MaxAge: 3000 },
      ],
    };
    const intake = { role: 'intake', logicalId: 'Intake', name: 'hilum-intake', eventBridge: false, cors: [] };
    const other = await startS3({ dataDir, credentials, buckets: [released, intake] });
    const signed = new S3Client({ endpoint: other.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
    try {
      await signed.send(new PutObjectCommand({ Bucket: 'hilum-released', Key: 'wado/answer', Body: Buffer.from('answer') }));
      const preflight = (bucket: string, method: string) =>
        fetch(`${other.endpoint}/${bucket}/wado/answer`, {
          method: 'OPTIONS',
          headers: { origin: 'null', 'access-control-request-method': method, 'access-control-request-headers': 'accept' },
        });
      const allowed = await preflight('hilum-released', 'GET');
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('*');
      expect(allowed.headers.get('access-control-allow-headers')).toBe('accept');
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
      expect((await preflight('hilum-released', 'PUT')).status).toBe(403);
      expect((await preflight('hilum-intake', 'GET')).status).toBe(403);

      const get = async (bucket: string, key: string) =>
        fetch(await getSignedUrl(signed, new GetObjectCommand({ Bucket: bucket, Key: key })), { headers: { origin: 'null' } });
      const answer = await get('hilum-released', 'wado/answer');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
      expect(answer.headers.get('access-control-expose-headers')).toBe('Content-Length');
      expect(await answer.text()).toBe('answer');
      // The rule does not replace the signature: an unsigned GET is still refused (with the headers, so a page can read why).
      const unsigned = await fetch(`${other.endpoint}/hilum-released/wado/answer`, { headers: { origin: 'null' } });
      expect(unsigned.status).toBe(403);
      expect(unsigned.headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      signed.destroy();
      await other.stop();
    }
  });
});

/** A request with the framing chosen by the test (fetch always sets its own). */
function rawRequest(url: string, options: http.RequestOptions, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
