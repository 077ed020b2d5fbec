/**
 * `npm run bench s3-emulator [-- --objects N --large N --concurrency N]`: the local S3 emulator's CPU per
 * request (issue 21). Starts the emulator as the commons does (its own worker thread, SigV4 front, store in a
 * throw-away folder) and sends, with the real S3 client, N PUTs, GETs (body read), HEADs and DELETEs of
 * 0.5 MB objects (a CT slice) and of 10 MB objects (a radiograph), `--concurrency` in flight, once with every
 * request answered by s3rver (`directObjects: false`, as before the direct object path) and once as the commons
 * runs it. Prints the emulator thread's CPU per request of each kind (`S3Emulator.threadCpuUsage()`), and the
 * process's (every thread: the client's, and libuv's file system threads, which do the emulator's file I/O).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { generateLocalCredentials } from '../local/credentials';
import { startS3 } from '../local/emulators/s3';
import { option } from './ingest.bench';

const BUCKET = 'hilum-intake';

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

async function inFlight(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export async function run(): Promise<void> {
  for (const directObjects of [false, true]) {
    console.log(directObjects ? 'direct object path (as the commons runs):' : 'every request by s3rver:');
    await measure(directObjects);
  }
}

async function measure(directObjects: boolean): Promise<void> {
  const small = option('objects', 300);
  const large = option('large', 20);
  const concurrency = option('concurrency', 4);
  const dataDir = await mkdtemp(join(tmpdir(), 'hilum-bench-s3-'));
  const credentials = generateLocalCredentials();
  const emulator = await startS3({
    dataDir,
    credentials,
    // SSE-KMS, as the commons' intake bucket: S3 computes no MD5 for its ETags (docs/local-mode.md).
    buckets: [{ role: 'intake', logicalId: 'Intake', name: BUCKET, eventBridge: true, cors: [], sseKms: true }],
    onEvent: () => undefined,
    directObjects,
  });
  const s3 = new S3Client({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    for (const [label, count, size] of [
      ['0.5 MB', small, 512 * 1024],
      ['10 MB', large, 10 * 1024 * 1024],
    ] as const) {
      if (count === 0) continue;
      const body = Buffer.alloc(size, 7);
      const key = (i: number) => `intake/bench/${label.replace(/\W/g, '')}/object-${i}.dcm`;
      const kinds: Array<[string, (i: number) => Promise<void>]> = [
        [
          'PUT',
          async (i) => {
            await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(i), Body: body, ContentType: 'application/dicom' }));
          },
        ],
        [
          'GET',
          async (i) => {
            const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key(i) }));
            await got.Body?.transformToByteArray();
          },
        ],
        [
          'HEAD',
          async (i) => {
            await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key(i) }));
          },
        ],
        [
          'DELETE',
          async (i) => {
            await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key(i) }));
          },
        ],
      ];
      // A warm-up round of each kind, so the JIT's first compilations are not charged to one kind.
      for (const [, work] of kinds) await inFlight(Math.min(20, count), concurrency, work);
      const figures: string[] = [];
      for (const [kind, work] of kinds) {
        const thread = await emulator.threadCpuUsage();
        const whole = process.cpuUsage();
        await inFlight(count, concurrency, work);
        const threadMs = cpuMs(await emulator.threadCpuUsage()) - cpuMs(thread);
        const wholeMs = cpuMs(process.cpuUsage(whole));
        figures.push(`${kind} ${(threadMs / count).toFixed(2)} ms (process ${(wholeMs / count).toFixed(2)})`);
      }
      console.log(`${label} x ${count}, ${concurrency} in flight: the S3 thread's CPU per request: ${figures.join(', ')}`);
    }
  } finally {
    s3.destroy();
    await emulator.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
