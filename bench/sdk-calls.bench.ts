/**
 * `npm run bench sdk-calls [-- --calls N --warm N --concurrency N]`: the AWS SDK's CPU per call in the calling
 * thread, by kind, as the function threads make them (issue 21). The clients are the handlers' own
 * (layers/adapters/aws/clients.ts), built in a worker thread with the local commons' function environment
 * (endpoints from AWS_ENDPOINT_URL_*, tracing off), against the local emulators: the S3 emulator in its own worker
 * thread, DynamoDB Local's JVM behind its SigV4 front on this process's main thread. So the worker's thread CPU is
 * the client's alone: middleware, serialization, signing, endpoint resolution, its HTTP client and, for the 0.5 MB
 * objects, the body's way through the socket. Each kind runs `--warm` calls first (default 200), then `--calls`
 * (default 2,000), `--concurrency` at a time (default 4).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { generateLocalCredentials } from '../local/credentials';
import { startDynamoDb, startDynamoDbLocalJava } from '../local/emulators/dynamodb';
import { startS3 } from '../local/emulators/s3';
import { catalogTableDefinition } from '../test/support/catalog-table';
import { option } from './ingest.bench';

const TABLE = 'bench-catalog';
const BUCKET = 'bench-objects';
const KINDS = ['PutItem', 'GetItem', 'Query', 'S3 PUT 0.5 MB', 'S3 GET 0.5 MB', 'S3 HEAD'] as const;
type Kind = (typeof KINDS)[number];

/** The client thread: the handlers' clients module (TypeScript, through tsx as the function workers load it). */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
require('tsx/cjs');
const { documentClient, s3Client } = require(workerData.clientsModule);
const { PutCommand, GetCommand, QueryCommand } = require('@aws-sdk/lib-dynamodb');
const { PutObjectCommand, GetObjectCommand, HeadObjectCommand } = require('@aws-sdk/client-s3');
const { table, bucket } = workerData;
const documents = documentClient();
const s3 = s3Client();
const body = Buffer.alloc(512 * 1024, 7);
// About a CT slice's claim item: ids, a digest, a status, a time.
const item = (pk, sk) => ({
  pk, sk, gsi1pk: 'SERIES#' + pk.slice(-2), gsi1sk: sk, status: 'staged',
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  sopInstanceUid: '1.2.826.0.1.3680043.8.498.' + sk, bytes: 526000, at: new Date().toISOString(),
});
// As ObjectStore.put sends a copy it hashed: its SHA-256 as the checksum and as the signed payload hash.
const sha256 = require('node:crypto').createHash('sha256').update(body).digest();
const put = (key) => {
  const command = new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.byteLength, ContentType: 'application/dicom', ChecksumSHA256: sha256.toString('base64') });
  command.middlewareStack.add((next) => (args) => { args.request.headers['x-amz-content-sha256'] = sha256.toString('hex'); return next(args); }, { step: 'build', name: 'presetPayloadHash' });
  return command;
};
const drain = async (stream) => { for await (const _ of stream) { /* read to the end */ } };
let next = 0;
const call = {
  PutItem: (tag, i) => documents.send(new PutCommand({ TableName: table, Item: item('P#' + tag + (i % 64), 'S#' + i), ConditionExpression: 'attribute_not_exists(pk)' })),
  GetItem: (tag, i) => documents.send(new GetCommand({ TableName: table, Key: { pk: 'P#seed' + (i % 64), sk: 'S#' + (i % 8) }, ConsistentRead: true })),
  Query: (tag, i) => documents.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'P#seed' + (i % 64) } })),
  'S3 PUT 0.5 MB': (tag, i) => s3.send(put('bench/' + tag + '/' + (i % 256) + '.dcm')),
  'S3 GET 0.5 MB': async (tag, i) => { const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'bench/seed/' + (i % 256) + '.dcm' })); await drain(got.Body); },
  'S3 HEAD': (tag, i) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'bench/seed/' + (i % 256) + '.dcm' })),
};
const cpu = () => { const { user, system } = process.threadCpuUsage(); return (user + system) / 1000; };
parentPort.on('message', async ({ kind, tag, calls, concurrency }) => {
  try {
    let i = 0;
    const lane = async () => { while (i < calls) { i += 1; await call[kind](tag, next++); } };
    const before = cpu();
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, lane));
    parentPort.postMessage({ cpu: cpu() - before, ms: performance.now() - start });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.name) + ': ' + String(error && error.message) });
  }
});
`;

export async function run(): Promise<void> {
  if (typeof process.threadCpuUsage !== 'function') throw new Error('sdk-calls needs Node 24 (process.threadCpuUsage)');
  const calls = option('calls', 2000);
  const warm = option('warm', 200);
  const concurrency = Math.max(1, option('concurrency', 4));
  const dataDir = await mkdtemp(join(tmpdir(), 'hilum-sdk-bench-'));
  const credentials = generateLocalCredentials();
  const java = await startDynamoDbLocalJava({ dbPath: join(dataDir, 'dynamodb'), sharedDb: true });
  const dynamodb = await startDynamoDb({ dataDir, credentials, java });
  const s3 = await startS3({
    dataDir,
    credentials,
    buckets: [{ role: 'intake', logicalId: 'Objects', name: BUCKET, eventBridge: false, cors: [] }],
    thread: 'worker',
  });
  const worker = new Worker(CLIENT, {
    eval: true,
    workerData: { clientsModule: join(__dirname, '../layers/adapters/aws/clients.ts'), table: TABLE, bucket: BUCKET },
    // The local commons' function environment, as far as the clients read it (local/environment.ts).
    env: {
      ...process.env,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      HILUM_S3_FORCE_PATH_STYLE: 'true',
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_XRAY_MANUAL_MODE: 'true',
    },
  });
  const ask = (kind: Kind, tag: string, n: number): Promise<{ cpu: number; ms: number }> =>
    new Promise((resolve, reject) => {
      worker.once('message', (answer: { cpu: number; ms: number; error?: string }) =>
        answer.error ? reject(new Error(answer.error)) : resolve(answer),
      );
      worker.postMessage({ kind, tag, calls: n, concurrency });
    });
  try {
    await dynamodb.createTables([catalogTableDefinition(TABLE)]);
    // What the reads find: 64 partitions of 8 items, 256 objects (under the tag `seed`).
    await ask('PutItem', 'seed', 512);
    await ask('S3 PUT 0.5 MB', 'seed', 256);
    console.log(`${calls} calls per kind, ${concurrency} at a time, after ${warm}; the client thread's CPU per call:`);
    for (const kind of KINDS) {
      if (warm > 0) await ask(kind, 'warm', warm);
      const { cpu, ms } = await ask(kind, 'run', calls);
      console.log(
        `${kind.padEnd(14)} ${(cpu / calls).toFixed(3).padStart(7)} ms   ${((calls * 1000) / ms).toFixed(0).padStart(6)} calls/s`,
      );
    }
  } finally {
    await worker.terminate();
    await s3.stop();
    await dynamodb.stop();
    await java.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
