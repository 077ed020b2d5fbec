/**
 * Files a delete takes out of the local S3's store, kept and rewritten as a later PUT's instead of creating new
 * ones (`local/emulators/s3-spare-files.ts`): reused whole or not at all, never while a reader that began before
 * the delete may still read them, and through the direct object path (`s3-objects.ts`) in s3rver's layout.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { generateLocalCredentials } from '../../../local/credentials';
import { startS3, type S3Emulator } from '../../../local/emulators/s3';
import { createDirectObjectPath } from '../../../local/emulators/s3-objects';
import { createSpareFiles, type SpareFiles } from '../../../local/emulators/s3-spare-files';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hilum-s3-spare-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const inodeOf = (file: string) => statSync(file).ino;

describe('kept files', () => {
  it('rewrites a deleted file as another, whole, in place of creating one; a missing file is not kept', async () => {
    const spares = createSpareFiles(join(root, 'spare'));
    await writeFile(join(root, 'old'), 'a longer old content');
    const ino = inodeOf(join(root, 'old'));
    expect(spares.retire(join(root, 'old'))).toBe(true);
    expect(existsSync(join(root, 'old'))).toBe(false);
    expect(spares.retire(join(root, 'never'))).toBe(false);

    expect(spares.writeAs(join(root, 'new'), 'new')).toBe(true);
    expect(await readFile(join(root, 'new'), 'utf8')).toBe('new');
    expect(inodeOf(join(root, 'new'))).toBe(ino);
    // None left: the caller creates the file.
    expect(spares.writeAs(join(root, 'other'), 'x')).toBe(false);
    expect(existsSync(join(root, 'other'))).toBe(false);
  });

  it('reuses no file while a reader that began before its delete runs; readers begun after do not hold it', async () => {
    const spares = createSpareFiles(join(root, 'spare'));
    await writeFile(join(root, 'a'), 'a');
    const before = spares.readerStarted();
    spares.retire(join(root, 'a'));
    const after = spares.readerStarted();
    expect(spares.take()).toBeUndefined();
    before();
    const taken = spares.take();
    expect(taken).toBeDefined();
    expect(await readFile(taken as string, 'utf8')).toBe('a');
    after();
  });

  it('deletes a file above the size limit or beyond the count limit instead of keeping it', async () => {
    const spares = createSpareFiles(join(root, 'spare'), { limit: 1, sizeLimit: 4, largeSizeLimit: 6 });
    await writeFile(join(root, 'big'), 'too big');
    await writeFile(join(root, 'a'), 'a');
    await writeFile(join(root, 'b'), 'b');
    expect([spares.retire(join(root, 'big')), spares.retire(join(root, 'a')), spares.retire(join(root, 'b'))]).toEqual([true, true, true]);
    expect(await readdir(root)).toEqual(['spare']);
    expect(await readdir(join(root, 'spare'))).toHaveLength(1);
  });

  it('keeps larger files apart, up to a total size, and hands them out only for bodies over the small limit', async () => {
    const spares = createSpareFiles(join(root, 'spare'), { sizeLimit: 4, largeSizeLimit: 100, largeBytes: 20 });
    await writeFile(join(root, 'large'), 'a larger file');
    await writeFile(join(root, 'small'), 'abc');
    await writeFile(join(root, 'beyond'), 'over the total size');
    const ino = inodeOf(join(root, 'large'));
    expect([spares.retire(join(root, 'large')), spares.retire(join(root, 'small')), spares.retire(join(root, 'beyond'))]).toEqual([
      true,
      true,
      true,
    ]);
    // 13 bytes kept, 19 more would pass the 20 allowed: unlinked.
    expect(await readdir(join(root, 'spare'))).toHaveLength(2);
    const large = spares.take(50);
    expect(large && inodeOf(large)).toBe(ino);
    expect(spares.take(50)).toBeUndefined();
    const small = spares.take(2);
    expect(small && (await readFile(small, 'utf8'))).toBe('abc');
    // Taking the large one gave its bytes back: another fits now.
    await writeFile(join(root, 'again'), 'over the total size');
    spares.retire(join(root, 'again'));
    expect(spares.take(5)).toBeDefined();
  });

  it('starts empty: what a folder held from an earlier run is removed', async () => {
    await mkdir(join(root, 'spare'));
    await writeFile(join(root, 'spare', 'left'), 'from before');
    const spares = createSpareFiles(join(root, 'spare'));
    expect(spares.take()).toBeUndefined();
    expect(await readdir(join(root, 'spare'))).toEqual([]);
  });
});

describe('the direct object path with kept files', () => {
  const BUCKET = 'hilum-intake';
  let server: http.Server;
  let base: string;
  let spares: SpareFiles;
  const file = (key: string, suffix: string) => join(root, 'store', BUCKET, `${key}._S3rver_${suffix}`);
  const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

  beforeEach(async () => {
    await mkdir(join(root, 'store', BUCKET), { recursive: true });
    spares = createSpareFiles(join(root, 'spare'), { sizeLimit: 64 * 1024 * 1024 });
    // Objects over 64 KiB are streamed (a descriptor held across reads), as those over 16 MiB in the emulator.
    const direct = createDirectObjectPath({ directory: join(root, 'store'), onEvent: () => undefined, wholeReadLimit: 64 * 1024, spares });
    server = http.createServer((req, res) => {
      direct.serve(req, res).then(
        (served) => {
          if (!served) res.writeHead(599).end();
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
  });

  it("writes a PUT into a deleted object's three files, in s3rver's layout, answering the new object", async () => {
    await fetch(`${base}/${BUCKET}/one`, { method: 'PUT', headers: { 'x-amz-meta-v': '1' }, body: 'the first object, longer' });
    const inodes = ['object', 'object.md5', 'metadata.json'].map((suffix) => inodeOf(file('one', suffix)));
    expect((await fetch(`${base}/${BUCKET}/one`, { method: 'DELETE' })).status).toBe(204);
    expect(await readdir(join(root, 'store', BUCKET))).toEqual([]);

    const put = await fetch(`${base}/${BUCKET}/two`, { method: 'PUT', headers: { 'content-type': 'application/dicom' }, body: 'second' });
    expect(put.status).toBe(200);
    const reused = ['object', 'object.md5', 'metadata.json'].map((suffix) => inodeOf(file('two', suffix)));
    expect(new Set(reused)).toEqual(new Set(inodes));
    expect(await readFile(file('two', 'object'), 'utf8')).toBe('second');
    expect(await readFile(file('two', 'object.md5'), 'utf8')).toBe(md5('second'));
    expect(JSON.parse(await readFile(file('two', 'metadata.json'), 'utf8'))).toEqual({ 'content-type': 'application/dicom' });
    const get = await fetch(`${base}/${BUCKET}/two`);
    expect([get.status, get.headers.get('content-type'), get.headers.get('x-amz-meta-v'), await get.text()]).toEqual([
      200,
      'application/dicom',
      null,
      'second',
    ]);
    expect((await fetch(`${base}/${BUCKET}/one`, { method: 'HEAD' })).status).toBe(599);
  });

  it("writes a larger PUT, through the file pool, into a deleted larger object's file, cut to the new body's length", async () => {
    const direct = createDirectObjectPath({
      directory: join(root, 'store'),
      onEvent: () => undefined,
      spares: (spares = createSpareFiles(join(root, 'spare-large'), { sizeLimit: 1024 })),
      synchronousBodyLimit: 1024,
    });
    const larger = http.createServer((req, res) => {
      direct.serve(req, res).then(
        (served) => {
          if (!served) res.writeHead(599).end();
        },
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => larger.listen(0, '127.0.0.1', resolve));
    const at = `http://127.0.0.1:${(larger.address() as AddressInfo).port}`;
    try {
      const first = Buffer.alloc(300 * 1024, 'x');
      await fetch(`${at}/${BUCKET}/first`, { method: 'PUT', body: first });
      const ino = inodeOf(file('first', 'object'));
      expect((await fetch(`${at}/${BUCKET}/first`, { method: 'DELETE' })).status).toBe(204);
      // A small body takes no large file.
      await fetch(`${at}/${BUCKET}/small`, { method: 'PUT', body: 'small' });
      expect(inodeOf(file('small', 'object'))).not.toBe(ino);

      const second = Buffer.alloc(200 * 1024, 'y');
      expect((await fetch(`${at}/${BUCKET}/second`, { method: 'PUT', body: second })).status).toBe(200);
      expect(inodeOf(file('second', 'object'))).toBe(ino);
      const stored = await readFile(file('second', 'object'));
      expect([stored.length, md5(stored)]).toEqual([second.length, md5(second)]);
      const get = await fetch(`${at}/${BUCKET}/second`);
      expect(md5(Buffer.from(await get.arrayBuffer()))).toBe(md5(second));
    } finally {
      larger.closeAllConnections();
      await new Promise((resolve) => larger.close(resolve));
    }
  });

  it("never rewrites a file a GET still streams: the deleted object's reader gets its own bytes, and the file is reused once it has ended", async () => {
    const big = Buffer.alloc(16 * 1024 * 1024, 'a');
    await fetch(`${base}/${BUCKET}/big`, { method: 'PUT', body: big });
    const bigInode = inodeOf(file('big', 'object'));
    // A GET that reads its first bytes and then holds the rest back (the stream waits on the socket).
    let paused!: http.IncomingMessage;
    const received: Buffer[] = [];
    await new Promise<void>((resolve) => {
      http.get(`${base}/${BUCKET}/big`, { agent: false }, (res) => {
        paused = res;
        res.once('data', (chunk: Buffer) => {
          received.push(chunk);
          res.pause();
          resolve();
        });
      });
    });
    expect((await fetch(`${base}/${BUCKET}/big`, { method: 'DELETE' })).status).toBe(204);
    await fetch(`${base}/${BUCKET}/meanwhile`, { method: 'PUT', body: 'b' });
    expect(inodeOf(file('meanwhile', 'object'))).not.toBe(bigInode);

    const rest = new Promise<Buffer>((resolve, reject) => {
      paused.on('data', (chunk: Buffer) => received.push(chunk));
      paused.on('end', () => resolve(Buffer.concat(received)));
      paused.on('error', reject);
    });
    paused.resume();
    const whole = await rest;
    expect([whole.length, md5(whole)]).toEqual([big.length, md5(big)]);
    // The reader ended when its answer closed.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fetch(`${base}/${BUCKET}/after`, { method: 'PUT', body: 'c' });
    expect(inodeOf(file('after', 'object'))).toBe(bigInode);
    expect(await readFile(file('after', 'object'), 'utf8')).toBe('c');
  });
});

describe('the emulator with kept files (s3rver and the direct path)', () => {
  const BUCKET = 'hilum-intake';
  let emulator: S3Emulator;
  let s3: S3Client;
  const file = (key: string) => join(root, 's3', BUCKET, `${key}._S3rver_object`);

  beforeEach(async () => {
    const credentials = generateLocalCredentials();
    emulator = await startS3({
      dataDir: root,
      credentials,
      buckets: [{ role: 'intake', logicalId: 'Intake', name: BUCKET, eventBridge: false, cors: [] }],
      thread: 'main',
    });
    s3 = new S3Client({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });

  afterEach(async () => {
    s3.destroy();
    await emulator.stop();
  });

  it('removes the files deletes kept when it stops', async () => {
    for (const key of ['a', 'b'])
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(2 * 1024 * 1024, key) }));
    await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }] } }));
    expect((await readdir(join(root, 's3-spare'))).length).toBeGreaterThan(0);
    await emulator.stop();
    expect(await readdir(join(root, 's3-spare'))).toEqual([]);
  });

  it('keeps what DeleteObjects removes for a later PUT, never rewritten while an s3rver GET of it still streams', async () => {
    const big = Buffer.alloc(16 * 1024 * 1024, 'a');
    // The big object's file is kept apart, for a body over 1 MiB; the small one's for the small PUTs below.
    const small = Buffer.alloc(1024 * 1024, 's');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'small', Body: small }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big', Body: big }));
    const smallInode = inodeOf(file('small'));
    // A conditional GET goes to s3rver, which streams the body after its handler has returned.
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'small' }))).ETag;
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'small', IfMatch: etag }));
    const body = got.Body as http.IncomingMessage;
    const received: Buffer[] = [];
    await new Promise<void>((resolve) =>
      body.once('data', (chunk: Buffer) => {
        received.push(chunk);
        body.pause();
        resolve();
      }),
    );
    const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'small' }, { Key: 'big' }] } }));
    expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual(['big', 'small']);
    // Kept for reuse now only if s3rver has sent the whole answer (into the sockets' buffers): then nothing reads it.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meanwhile', Body: 'm' }));

    const whole = await new Promise<Buffer>((resolve, reject) => {
      body.on('data', (chunk: Buffer) => received.push(chunk));
      body.on('end', () => resolve(Buffer.concat(received)));
      body.on('error', reject);
      body.resume();
    });
    expect(whole.equals(small)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'after', Body: 'after' }));
    // s3rver deletes a DeleteObjects' keys concurrently, so which object's files come first among those kept varies:
    // the small object's file is rewritten as one of the later PUTs' files, whichever.
    const filesOf = (key: string) =>
      ['object', 'object.md5', 'metadata.json'].map((resource) => join(root, 's3', BUCKET, `${key}._S3rver_${resource}`));
    expect([...filesOf('meanwhile'), ...filesOf('after')].map(inodeOf)).toContain(smallInode);
    const after = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'after' }));
    expect(await after.Body?.transformToString()).toBe('after');
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents?.map((c) => c.Key)).toEqual(['after', 'meanwhile']);
  });
});
