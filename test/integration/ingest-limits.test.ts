/**
 * What a site's object may cost the pipeline, end to end through the local commons
 * (issue 11): a deflate bomb is quarantined by the ingest task (its parse) with its reason and bounded
 * memory, nothing of it published (S3); a presigned PUT binds the announced size,
 * and the ingest task refuses an object of another size from its GET answer's headers, without
 * reading its body (S8); a released copy's PUT is checked by S3 against its SHA-256.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, Hash, type BinaryLike } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { ObjectStore } from '../../layers/adapters/aws/objects';
import { ApiError, HilumApi } from '../../cli/lib/api-client';
import { MAX_INGEST_OBJECT_BYTES } from '../../layers/pipeline/intake-limits';
import { makeDicom } from '../support/synthetic-dicom';
import { makeDeflateBomb } from '../support/deflate-bomb';
import { createProject } from '../support/projects';
import { localS3Client } from '../support/local-clients';

jest.setTimeout(300_000);

const PROJECT = 'limits';
const GIB = 1024 ** 3;
const MB = 1_000_000;

describe('ingest limits', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let site: HilumApi;
  let researcher: HilumApi;
  let s3: S3Client;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-limits-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'SILENT',
      retryIntervalMs: 0,
    });
    await createProject(commons.apiUrl, await commons.issueToken(['curator'], 'curator-1'), PROJECT, ['site-a']);
    site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-a'));
    researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher']));
    s3 = localS3Client(commons);
  });

  afterAll(async () => {
    s3?.destroy();
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** A submission with one announced file; its presigned URL and intake key. */
  async function announce(size: number): Promise<{ submissionId: string; url: string; key: string }> {
    const { submissionId } = await site.createSubmission(PROJECT, 'site-a');
    const [upload] = (await site.requestUploads(submissionId, [{ name: 'file.dcm', size }])).uploads;
    if (!upload?.url) throw new Error('expected a single presigned PUT');
    return { submissionId, url: upload.url, key: `intake/${submissionId}/${upload.fileId}` };
  }

  async function released(): Promise<number> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: commons.buckets.released, Prefix: 'studies/' }));
    return listed.KeyCount ?? 0;
  }

  it('quarantines a 1 GiB deflate bomb at intake with a value-free reason, publishes nothing, and holds less than 200 MB', async () => {
    const bomb = await makeDeflateBomb(GIB, { studyInstanceUid: '2.25.1111', seriesInstanceUid: '2.25.1112' });
    const { submissionId, url } = await announce(bomb.byteLength);
    expect((await fetch(url, { method: 'PUT', body: bomb })).status).toBe(200);

    const memory = sampleMemory();
    await site.completeSubmission(submissionId);
    await commons.idle();
    const peak = memory.stop();

    const submission = await site.getSubmission(submissionId);
    expect(submission).toMatchObject({ stagedCount: 0, quarantinedCount: 1 });
    expect(submission.files[0]).toMatchObject({ status: 'quarantined', reasonCode: 'InflationLimitExceeded' });
    expect(submission.files[0]!.reason).toMatch(
      new RegExp(
        `^InflationLimitExceeded: inflation limit: the deflated data set of a ${bomb.byteLength}-byte file inflates to more than \\d+ bytes$`,
      ),
    );
    expect((await researcher.listStudies({ project: PROJECT })).studies).toEqual([]);
    expect(await released()).toBe(0);
    // The bomb was inflated at most to its intake limit (~100 MB), once, never to its gigabyte.
    expect(peak.arrayBuffers).toBeLessThan(200 * MB);
    expect(peak.rss).toBeLessThan(200 * MB);
  });

  it('signs the announced size into the presigned URL, so a PUT of another size is refused', async () => {
    const file = makeDicom();
    const { url, key } = await announce(file.byteLength);
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');

    const bigger = Buffer.concat([file, Buffer.alloc(5 * 1024 * 1024)]);
    expect((await fetch(url, { method: 'PUT', body: bigger })).status).toBe(403);
    expect((await fetch(url, { method: 'PUT', body: file.subarray(0, file.byteLength - 1) })).status).toBe(403);
    await expect(s3.send(new HeadObjectCommand({ Bucket: commons.buckets.intake, Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
    expect((await fetch(url, { method: 'PUT', body: file })).status).toBe(200);
  });

  it("quarantines an intake object larger than announced from its GET answer's headers, without reading its body", async () => {
    const declared = 1000;
    const { submissionId, key } = await announce(declared);
    // However it got there (a URL signed before sizes were, a replaced object), the object is 400x the announced size.
    const ranges: Array<string | undefined> = [];
    const requests: string[] = [];
    const bodiesRead: number[] = [];
    // A spy on every S3 client in this process (the handlers run here): which keys are asked for, and how.
    const originalSend = S3Client.prototype.send;
    const send = jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, command: unknown, ...rest: unknown[]) {
      if (command instanceof GetObjectCommand && command.input.Key === key) ranges.push(command.input.Range);
      if ((command instanceof GetObjectCommand || command instanceof HeadObjectCommand) && command.input.Key === key)
        requests.push(command.constructor.name);
      return (originalSend as (...args: unknown[]) => unknown).call(this, command, ...rest);
    } as never);
    // And on what the ingest does with the answer: whether it reads the body.
    const open = ObjectStore.prototype.open;
    const opens = jest.spyOn(ObjectStore.prototype, 'open').mockImplementation(async function (this: ObjectStore, bucket, k, options) {
      const opened = await open.call(this, bucket, k, options);
      if (!opened || k !== key) return opened;
      return { ...opened, size: opened.size, read: () => (bodiesRead.push(opened.size), opened.read()) };
    });
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: commons.buckets.intake,
          Key: key,
          Body: Buffer.alloc(400 * declared),
          ContentLength: 400 * declared,
        }),
      );
      await site.completeSubmission(submissionId);
      await commons.idle();
    } finally {
      send.mockRestore();
      opens.mockRestore();
    }
    const submission = await site.getSubmission(submissionId);
    expect(submission.files[0]).toMatchObject({
      status: 'quarantined',
      reasonCode: 'SizeMismatch',
      reason: `SizeMismatch: the object has ${400 * declared} bytes, ${declared} were announced`,
    });
    // One GET of at most one byte more than announced, whose answer's size refused it: no HEAD first, no body read.
    // (Quarantine's HEAD, before it moves the object, comes after.)
    expect(ranges).toEqual([`bytes=0-${declared}`]);
    expect(requests[0]).toBe('GetObjectCommand');
    expect(bodiesRead).toEqual([]);
  });

  it('refuses a released PUT whose bytes are not the ones hashed (S3 checks the checksum), as a TransientError, storing nothing', async () => {
    const store = new ObjectStore(s3);
    const copy = makeDicom();
    const key = 'checks/corrupted-in-transit.dcm';
    // The digest of the bytes as they were hashed, and the bytes as they arrive with one bit flipped.
    const digest = createHash('sha256').update(copy).digest();
    const corrupted = Buffer.from(copy);
    corrupted[corrupted.length - 1]! ^= 1;

    await expect(store.put(commons.buckets.released, key, corrupted, { sha256: digest })).rejects.toMatchObject({ name: 'TransientError' });
    await expect(s3.send(new HeadObjectCommand({ Bucket: commons.buckets.released, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    // The same PUT of the bytes hashed is stored, confirmed by the checksum the answer names.
    await store.put(commons.buckets.released, key, copy, { sha256: digest });
    expect((await s3.send(new HeadObjectCommand({ Bucket: commons.buckets.released, Key: key }))).ContentLength).toBe(copy.byteLength);
  });

  it('hashes a staged copy once: the SOP claim, the released PUT (checksum and signature) and the catalog share one SHA-256', async () => {
    const rows = 1024;
    const columns = 512;
    const original = makeDicom({ rows, columns, seriesInstanceUid: '2.25.3331', studyInstanceUid: '2.25.3330' });
    const { submissionId, url } = await announce(original.byteLength);
    expect((await fetch(url, { method: 'PUT', body: original })).status).toBe(200);

    // The hash passes over a megabyte or more in this thread, where the handlers and their SDK clients run (the small
    // ones are DynamoDB bodies, canonical requests, pseudonyms, and jest's own cache keys as it loads modules).
    const passes: number[] = [];
    const update = Hash.prototype.update;
    const spy = jest.spyOn(Hash.prototype, 'update').mockImplementation(function (this: Hash, data: BinaryLike, ...rest: unknown[]) {
      if (typeof data !== 'string' && data.byteLength >= 1_000_000) passes.push(data.byteLength);
      return (update as (...args: unknown[]) => Hash).call(this, data, ...rest);
    } as never);
    // What the released PUT was given: the copy and the digest it is signed and checked with (the local S3 checks neither).
    // The copy's bytes as they were at the PUT: its memory goes back for the next object once the staging read it.
    const released: { bytes: Uint8Array; sha256?: Uint8Array }[] = [];
    const put = ObjectStore.prototype.put;
    const puts = jest.spyOn(ObjectStore.prototype, 'put').mockImplementation(function (this: ObjectStore, bucket, key, body, options) {
      if (bucket === commons.buckets.released && key.endsWith('.dcm'))
        released.push({ bytes: body.slice(), ...(options?.sha256 ? { sha256: options.sha256 } : {}) });
      return put.call(this, bucket, key, body, options);
    });
    try {
      await site.completeSubmission(submissionId);
      await commons.idle();
    } finally {
      spy.mockRestore();
      puts.mockRestore();
    }

    expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: 1 });
    expect(released).toHaveLength(1);
    const [{ bytes, sha256 }] = released as [{ bytes: Uint8Array; sha256?: Uint8Array }];
    expect(Buffer.from(sha256 ?? []).toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    // One pass over the copy. Hashing it for the SOP claim, for the PUT's checksum and again for its signature was three
    // passes over it; its pixels get a CRC-32, not a SHA-256 (the duplicate-pixel rule hashes them only where keys collide).
    expect(passes).toEqual([bytes.byteLength]);
  });

  it('refuses to announce a file larger than an ingest task takes', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, 'site-a');
    const refused = site.requestUploads(submissionId, [{ name: 'huge.dcm', size: MAX_INGEST_OBJECT_BYTES + 1 }]);
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 400 });
  });
});

/**
 * Samples this process's memory every few milliseconds (the local commons runs its
 * handlers here) and reports the growth above where it started at its highest.
 */
function sampleMemory(): { stop(): { rss: number; arrayBuffers: number } } {
  const start = process.memoryUsage();
  const peak = { rss: 0, arrayBuffers: 0 };
  const sample = (): void => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss - start.rss);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers - start.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
