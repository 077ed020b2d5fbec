/**
 * The local S3's direct object path (`local/emulators/s3-objects.ts`): plain object PUT, GET, HEAD and DELETE
 * answered from s3rver's store without s3rver, in s3rver's own layout and with its answers; an object's
 * metadata and MD5 read once and remembered until a write; everything else left to s3rver, untouched.
 * Requests go over loopback HTTP to a bare server (the SigV4 front in front of it is tested elsewhere).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDirectObjectPath, forgetObject, rangeOf, targetOf, type ObjectPathEvent } from '../../../local/emulators/s3-objects';
import { createReadBuffers, type ReadBuffers } from '../../../local/emulators/s3-read-buffers';

interface Store {
  putObject(object: unknown): Promise<{ md5: string }>;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FilesystemStore = require('s3rver/lib/stores/filesystem') as new (root: string) => Store;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3Object = require('s3rver/lib/models/object') as new (
  bucket: string,
  key: string,
  content: Buffer,
  headers: Record<string, string>,
) => unknown;

const BUCKET = 'hilum-intake';
/** A bucket whose default encryption is SSE-KMS, as the commons' data buckets are in AWS. */
const KMS_BUCKET = 'hilum-released';
let root: string;
let server: http.Server;
let base: string;
let events: ObjectPathEvent[];
let readBuffers: ReadBuffers;
/** Requests the direct path left to s3rver (this server answers them 599). */
let leftToS3rver: string[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hilum-s3-objects-'));
  await mkdir(join(root, BUCKET));
  await mkdir(join(root, KMS_BUCKET));
  events = [];
  leftToS3rver = [];
  readBuffers = createReadBuffers({ granularity: 1024 });
  // Objects over 64 KiB are streamed, not read in one piece (16 MiB in the emulator).
  const direct = createDirectObjectPath({
    directory: root,
    onEvent: (event) => events.push(event),
    wholeReadLimit: 64 * 1024,
    sseKmsBuckets: new Set([KMS_BUCKET]),
    readBuffers,
  });
  server = http.createServer((req, res) => {
    direct.serve(req, res).then(
      (served) => {
        if (served) return;
        leftToS3rver.push(`${req.method} ${req.url}`);
        req.resume();
        res.writeHead(599).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

const file = (key: string, suffix: string) => join(root, BUCKET, `${key}._S3rver_${suffix}`);
const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');
const headersOf = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([name]) => name !== 'date' && name !== 'connection' && name !== 'keep-alive'));

function raw(
  method: string,
  path: string,
  headers: Record<string, string | number>,
  body?: Buffer,
  cutAfter?: number,
): Promise<number | 'cut'> {
  return new Promise((resolve) => {
    // Options rather than a URL, which would resolve `..` segments before sending.
    const req = http.request({ host: '127.0.0.1', port: new URL(base).port, path, method, headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('cut'));
    if (cutAfter === undefined) req.end(body);
    else req.write(body?.subarray(0, cutAfter), () => setTimeout(() => req.destroy(), 50));
  });
}

describe('the direct object path', () => {
  it("stores a PUT in s3rver's own layout, byte for byte what s3rver's store writes for the same request", async () => {
    const headers = { 'content-type': 'application/dicom', 'x-amz-meta-sha256': 'abc=', 'cache-control': 'no-store' };
    const put = await fetch(`${base}/${BUCKET}/studies/1.2/3.dcm?x-id=PutObject`, { method: 'PUT', headers, body: 'slice bytes' });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe(`"${md5('slice bytes')}"`);
    expect(events).toEqual([{ kind: 'created', bucket: BUCKET, key: 'studies/1.2/3.dcm', size: 11, etag: md5('slice bytes') }]);

    const store = new FilesystemStore(root);
    await store.putObject(new S3Object(BUCKET, 'studies/1.2/4.dcm', Buffer.from('slice bytes'), headers));
    for (const suffix of ['object', 'object.md5', 'metadata.json'])
      expect(await readFile(file('studies/1.2/3.dcm', suffix), 'utf8')).toBe(await readFile(file('studies/1.2/4.dcm', suffix), 'utf8'));
    expect(await store.getMetadata(BUCKET, 'studies/1.2/3.dcm')).toMatchObject({
      'content-type': 'application/dicom',
      'x-amz-meta-sha256': 'abc=',
    });
    expect((await readdir(join(root, BUCKET, 'studies', '1.2'))).filter((n) => n.endsWith('.partial'))).toEqual([]);
    expect(leftToS3rver).toEqual([]);
  });

  it("answers GET and HEAD of what s3rver stored with s3rver's headers and bytes, and a byte range with 206", async () => {
    const store = new FilesystemStore(root);
    await store.putObject(new S3Object(BUCKET, 'a/b c.dcm', Buffer.from('hello world body'), { 'x-amz-meta-sha256': 'xyz' }));
    const lastModified = (await store.getMetadata(BUCKET, 'a/b c.dcm'))['last-modified'];
    const whole = {
      'accept-ranges': 'bytes',
      'content-type': 'binary/octet-stream',
      'last-modified': lastModified,
      etag: `"${md5('hello world body')}"`,
      'content-length': '16',
      'x-amz-meta-sha256': 'xyz',
    };
    const get = await fetch(`${base}/${BUCKET}/a/b%20c.dcm`);
    expect([get.status, headersOf(get), await get.text()]).toEqual([200, whole, 'hello world body']);
    const head = await fetch(`${base}/${BUCKET}/a/b%20c.dcm`, { method: 'HEAD' });
    expect([head.status, headersOf(head)]).toEqual([200, whole]);
    const ranged = await fetch(`${base}/${BUCKET}/a/b%20c.dcm`, { headers: { range: 'bytes=2-5' } });
    expect([ranged.status, headersOf(ranged), await ranged.text()]).toEqual([
      206,
      { ...whole, 'content-length': '4', 'content-range': 'bytes 2-5/16' },
      'llo ',
    ]);
    const tail = await fetch(`${base}/${BUCKET}/a/b%20c.dcm`, { headers: { range: 'bytes=10-' } });
    expect([tail.status, tail.headers.get('content-range'), await tail.text()]).toEqual([206, 'bytes 10-15/16', 'd body']);
    expect(leftToS3rver).toEqual([]);
  });

  it('reads objects into buffers lent again once their answers are sent, each answer its own bytes while others are in flight', async () => {
    const bodies = ['a', 'b', 'c'].map((fill) => Buffer.alloc(20_000, fill));
    for (const [i, body] of bodies.entries()) await fetch(`${base}/${BUCKET}/lent/${i}`, { method: 'PUT', body });
    for (let i = 0; i < 3; i += 1) expect(Buffer.from(await (await fetch(`${base}/${BUCKET}/lent/${i}`)).arrayBuffer())).toEqual(bodies[i]);
    expect(readBuffers.allocated).toBe(1);
    for (let round = 0; round < 3; round += 1) {
      const got = await Promise.all(
        bodies.map(async (_, i) => Buffer.from(await (await fetch(`${base}/${BUCKET}/lent/${i}`)).arrayBuffer())),
      );
      expect(got.map((b, i) => b.equals(bodies[i]!))).toEqual([true, true, true]);
    }
    const ranged = await fetch(`${base}/${BUCKET}/lent/1`, { headers: { range: 'bytes=5-9' } });
    expect(await ranged.text()).toBe('bbbbb');
    // At most one buffer per answer in flight at once: three, whatever the number of rounds.
    expect(readBuffers.allocated).toBeLessThanOrEqual(3);
  });

  it('stores and answers a body above the synchronous file-call limit as one below it: the same files, headers and bytes', async () => {
    // A second path on the same store whose limit (1 KiB) puts the larger of two bodies on libuv's pool.
    const pooled = createDirectObjectPath({ directory: root, onEvent: () => undefined, synchronousBodyLimit: 1024, readBuffers });
    const second = http.createServer((req, res) => void pooled.serve(req, res).catch(() => res.writeHead(500).end()));
    await new Promise<void>((resolve) => second.listen(0, '127.0.0.1', resolve));
    const secondBase = `http://127.0.0.1:${(second.address() as AddressInfo).port}`;
    try {
      for (const size of [1000, 50_000]) {
        const body = Buffer.alloc(size, size % 251);
        body.write('first', 0);
        body.write('last', size - 4);
        const headers = { 'content-type': 'application/dicom', 'x-amz-meta-n': String(size) };
        // The same PUT through the default path (synchronous below 1 MiB) and the pooled one, under two keys.
        expect((await fetch(`${base}/${BUCKET}/sync/${size}`, { method: 'PUT', headers, body })).status).toBe(200);
        expect((await fetch(`${secondBase}/${BUCKET}/pooled/${size}`, { method: 'PUT', headers, body })).status).toBe(200);
        for (const suffix of ['object', 'object.md5', 'metadata.json'])
          expect(await readFile(file(`pooled/${size}`, suffix))).toEqual(await readFile(file(`sync/${size}`, suffix)));
        for (const range of [undefined, 'bytes=1-4', `bytes=${size - 6}-`]) {
          const fromSync = await fetch(`${base}/${BUCKET}/sync/${size}`, range ? { headers: { range } } : {});
          const fromPool = await fetch(`${secondBase}/${BUCKET}/pooled/${size}`, range ? { headers: { range } } : {});
          const answer = async (res: Response) => [
            res.status,
            res.headers.get('etag'),
            res.headers.get('content-range'),
            md5(Buffer.from(await res.arrayBuffer())),
          ];
          expect(await answer(fromPool)).toEqual(await answer(fromSync));
        }
      }
      expect((await readdir(join(root, BUCKET, 'pooled'))).filter((n) => n.endsWith('.partial'))).toEqual([]);
    } finally {
      second.closeAllConnections();
      await new Promise((resolve) => second.close(resolve));
    }
  });

  it('streams an object too large to read in one piece, whole or ranged', async () => {
    const big = Buffer.alloc(200 * 1024, 3);
    big.write('head', 0);
    big.write('tail', big.length - 4);
    await writeFile(file('big.dcm', 'object'), big);
    await writeFile(file('big.dcm', 'object.md5'), md5(big));
    await writeFile(file('big.dcm', 'metadata.json'), '{}');
    const whole = Buffer.from(await (await fetch(`${base}/${BUCKET}/big.dcm`)).arrayBuffer());
    expect([whole.length, md5(whole)]).toEqual([big.length, md5(big)]);
    const ranged = await fetch(`${base}/${BUCKET}/big.dcm`, { headers: { range: `bytes=${big.length - 6}-` } });
    expect([ranged.status, await ranged.text()]).toEqual([206, '\u0003\u0003tail']);
    expect(leftToS3rver).toEqual([]);
  });

  it("reads an object's metadata and MD5 once: later requests use what it remembers, until the store writes the object again", async () => {
    await fetch(`${base}/${BUCKET}/k`, { method: 'PUT', headers: { 'x-amz-meta-v': '1' }, body: 'one' });
    const metaOf = async () => (await fetch(`${base}/${BUCKET}/k`, { method: 'HEAD' })).headers.get('x-amz-meta-v');
    expect(await metaOf()).toBe('1');
    // Behind the store's back (its thread is the only writer): not read again.
    await writeFile(file('k', 'metadata.json'), JSON.stringify({ 'x-amz-meta-v': '2' }));
    expect(await metaOf()).toBe('1');
    // s3rver's writes tell it (the store hooks in s3.ts call forgetObject).
    forgetObject(file('k', 'object'));
    expect(await metaOf()).toBe('2');
    // A new object file (another inode, size or time) is never answered with the old one's ETag.
    await unlink(file('k', 'object'));
    await writeFile(file('k', 'object'), 'other bytes');
    await writeFile(file('k', 'object.md5'), md5('other bytes'));
    const get = await fetch(`${base}/${BUCKET}/k`);
    expect([get.headers.get('etag'), await get.text()]).toEqual([`"${md5('other bytes')}"`, 'other bytes']);
  });

  it("gives an object in an SSE-KMS bucket an opaque ETag, not its MD5, new with each PUT, and answers it as the object's ETag", async () => {
    const puts = [];
    for (let i = 0; i < 2; i += 1) puts.push(await fetch(`${base}/${KMS_BUCKET}/s/1.dcm`, { method: 'PUT', body: 'same bytes' }));
    const [first, second] = puts.map((put) => put.headers.get('etag'));
    expect(puts.map((put) => put.status)).toEqual([200, 200]);
    expect(first).toMatch(/^"[0-9a-f]{32}"$/);
    expect([first === `"${md5('same bytes')}"`, first === second]).toEqual([false, false]);
    expect(await readFile(join(root, KMS_BUCKET, 's', '1.dcm._S3rver_object.md5'), 'utf8')).toBe(JSON.parse(second!));
    expect(events.map((e) => e.etag)).toEqual([JSON.parse(first!), JSON.parse(second!)]);
    const get = await fetch(`${base}/${KMS_BUCKET}/s/1.dcm`);
    const head = await fetch(`${base}/${KMS_BUCKET}/s/1.dcm`, { method: 'HEAD' });
    expect([get.headers.get('etag'), await get.text(), head.headers.get('etag')]).toEqual([second, 'same bytes', second]);
  });

  it('checks a Content-MD5 against the body as S3 does, in any bucket: a mismatch (BadDigest) or a malformed one (InvalidDigest) stores nothing', async () => {
    const sent = (bucket: string, key: string, contentMd5: string, body = 'checked bytes') =>
      fetch(`${base}/${bucket}/${key}`, { method: 'PUT', headers: { 'content-md5': contentMd5 }, body });
    const right = createHash('md5').update('checked bytes').digest('base64');
    const wrong = createHash('md5').update('other bytes').digest('base64');
    for (const bucket of [BUCKET, KMS_BUCKET]) {
      const refused = await sent(bucket, 'bad', wrong);
      expect([refused.status, await refused.text()]).toEqual([400, expect.stringContaining('<Code>BadDigest</Code>')]);
      const malformed = await sent(bucket, 'bad', 'not-an-md5');
      expect([malformed.status, await malformed.text()]).toEqual([400, expect.stringContaining('<Code>InvalidDigest</Code>')]);
      expect((await sent(bucket, 'good', right)).status).toBe(200);
      expect((await readdir(join(root, bucket))).sort()).toEqual([
        'good._S3rver_metadata.json',
        'good._S3rver_object',
        'good._S3rver_object.md5',
      ]);
    }
    expect(events.map((e) => `${e.bucket}/${e.key}`)).toEqual([`${BUCKET}/good`, `${KMS_BUCKET}/good`]);
    expect(await readFile(file('good', 'object.md5'), 'utf8')).toBe(md5('checked bytes'));
  });

  it('checks an x-amz-checksum-sha256 against the body as S3 does and answers it; a mismatch (BadDigest), a malformed one, or a payload hash of other bytes stores nothing', async () => {
    const body = 'released bytes';
    const digest = createHash('sha256').update(body).digest();
    const other = createHash('sha256').update('other bytes').digest();
    const sent = (key: string, headers: Record<string, string>) => fetch(`${base}/${KMS_BUCKET}/${key}`, { method: 'PUT', headers, body });

    const corrupted = await sent('bad', { 'x-amz-checksum-sha256': other.toString('base64') });
    expect([corrupted.status, await corrupted.text()]).toEqual([400, expect.stringContaining('<Code>BadDigest</Code>')]);
    const malformed = await sent('bad', { 'x-amz-checksum-sha256': 'not-a-sha256' });
    expect([malformed.status, await malformed.text()]).toEqual([400, expect.stringContaining('<Code>InvalidRequest</Code>')]);
    const otherPayload = await sent('bad', {
      'x-amz-checksum-sha256': digest.toString('base64'),
      'x-amz-content-sha256': other.toString('hex'),
    });
    expect([otherPayload.status, await otherPayload.text()]).toEqual([
      400,
      expect.stringContaining('<Code>XAmzContentSHA256Mismatch</Code>'),
    ]);

    const stored = await sent('good', {
      'x-amz-checksum-sha256': digest.toString('base64'),
      'x-amz-content-sha256': digest.toString('hex'),
    });
    expect(stored.status).toBe(200);
    expect(stored.headers.get('x-amz-checksum-sha256')).toBe(digest.toString('base64'));
    // Without a checksum, none is answered.
    expect((await sent('plain', {})).headers.get('x-amz-checksum-sha256')).toBeNull();
    expect((await readdir(join(root, KMS_BUCKET))).filter((name) => name.startsWith('bad'))).toEqual([]);
    expect(events.map((e) => e.key)).toEqual(['good', 'plain']);
  });

  it('deletes the object and its two sidecar files and tells of it; deleting a missing key is a 204 with no event', async () => {
    await fetch(`${base}/${BUCKET}/d/e`, { method: 'PUT', body: 'gone soon' });
    expect((await fetch(`${base}/${BUCKET}/d/e`, { method: 'DELETE' })).status).toBe(204);
    expect(await readdir(join(root, BUCKET, 'd'))).toEqual([]);
    expect((await fetch(`${base}/${BUCKET}/d/e`, { method: 'DELETE' })).status).toBe(204);
    expect(events.map((e) => e.kind)).toEqual(['created', 'removed']);
    expect(leftToS3rver).toEqual([]);
  });

  it('stores nothing of a body cut short of its Content-Length, and leaves no half-written file', async () => {
    expect(await raw('PUT', `/${BUCKET}/cut/x`, { 'content-length': 1000 }, Buffer.alloc(1000, 1), 100)).toBe('cut');
    await new Promise((r) => setTimeout(r, 100));
    expect(await readdir(join(root, BUCKET))).toEqual([]);
    expect(events).toEqual([]);
  });

  it('leaves to s3rver, before reading anything, every request it does not serve exactly as s3rver would', async () => {
    await fetch(`${base}/${BUCKET}/k`, { method: 'PUT', body: 'sixteen bytes...' });
    await mkdir(join(root, BUCKET, 'nomd5'));
    await writeFile(file('nomd5/x', 'object'), 'x');
    await writeFile(file('nomd5/x', 'metadata.json'), '{}');
    const left = [
      ['GET', `/${BUCKET}/k?tagging`, {}],
      ['GET', `/${BUCKET}/k?response-content-type=text%2Fhtml`, {}],
      ['GET', `/${BUCKET}?list-type=2`, {}],
      ['GET', `/${BUCKET}/k`, { 'if-none-match': '"x"' }],
      ['GET', `/${BUCKET}/k`, { range: 'bytes=100-' }],
      ['GET', `/${BUCKET}/k`, { range: 'bytes=-4' }],
      ['HEAD', `/${BUCKET}/missing`, {}],
      ['GET', `/${BUCKET}/nomd5/x`, {}],
      ['GET', `/no-such-bucket/k`, {}],
      ['GET', `/${BUCKET}/a/../k`, {}],
      ['GET', `/${BUCKET}/a//k`, {}],
      ['PUT', `/${BUCKET}/copy`, { 'x-amz-copy-source': `${BUCKET}/k`, 'content-length': 0 }],
      ['PUT', `/${BUCKET}/cold`, { 'x-amz-storage-class': 'GLACIER', 'content-length': 0 }],
      ['PUT', `/no-such-bucket/k`, { 'content-length': 0 }],
      ['PUT', `/${BUCKET}/huge`, { 'content-length': 64 * 1024 * 1024 + 1 }],
      ['POST', `/${BUCKET}/k?uploads`, {}],
      ['DELETE', `/no-such-bucket/k`, {}],
    ] as const;
    for (const [method, path, headers] of left) expect([path, await raw(method, path, headers)]).toEqual([path, 599]);
    expect(leftToS3rver).toEqual(left.map(([method, path]) => `${method} ${path}`));
    expect((await readdir(join(root, BUCKET))).sort()).toEqual([
      'k._S3rver_metadata.json',
      'k._S3rver_object',
      'k._S3rver_object.md5',
      'nomd5',
    ]);
  });
});

describe('what the direct path takes', () => {
  it('a path-style key of plain segments, with a presigned query or none', () => {
    expect(
      targetOf('/hilum-intake/intake/sub-1/f%C3%BC%20le.dcm?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab&x-id=GetObject'),
    ).toEqual({
      bucket: 'hilum-intake',
      key: 'intake/sub-1/fü le.dcm',
      folders: ['intake', 'sub-1'],
      name: 'fü le.dcm',
    });
    // As the SDK's presigner writes them (its X-Amz-Content-Sha256 and checksum parameters included).
    const presigned =
      '/hilum-intake/intake/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=a%2F20261207%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20261207T033936Z&X-Amz-Expires=60&X-Amz-Signature=05de&X-Amz-SignedHeaders=content-length%3Bhost';
    for (const query of [
      '&x-id=PutObject',
      '&x-amz-checksum-crc32=AAAAAA%3D%3D&x-amz-sdk-checksum-algorithm=CRC32&x-id=PutObject',
      '&x-amz-checksum-mode=ENABLED',
    ])
      expect(targetOf(presigned + query)).toMatchObject({ bucket: 'hilum-intake', key: 'intake/k' });
    for (const url of [
      '/hilum-intake',
      '/hilum-intake/',
      '/hilum-intake/a/',
      '/hilum-intake/k?uploadId=1',
      '/hilum-intake/%E0%A4%A',
      '/Bucket/k',
    ])
      expect(targetOf(url)).toBeUndefined();
  });

  it('a Range of bytes=N- or bytes=N-M only', () => {
    expect([
      rangeOf(undefined),
      rangeOf('bytes=0-0'),
      rangeOf('bytes=5-'),
      rangeOf('bytes=5-4'),
      rangeOf('bytes=-5'),
      rangeOf('bytes=0-1,3-4'),
    ]).toEqual([undefined, { start: 0, end: 0 }, { start: 5 }, null, null, null]);
  });
});
