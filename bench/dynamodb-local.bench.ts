/**
 * `npm run bench dynamodb-local [-- --calls N --concurrency N --warm N --jvm "<flags>" --kinds claims]`: the CPU one DynamoDB call
 * costs on the local path (issue 21), by kind. A fresh DynamoDB Local (its JVM started with the flags `hilum start`
 * uses, or `--jvm`'s) behind its SigV4 front, on a throw-away data folder; the real SDK client runs in a worker
 * thread, as the handlers do, so the three figures separate:
 * - DynamoDB Local's JVM (every thread of it, from /proc/<pid>/stat);
 * - the front, which runs on this process's main thread (/proc/self/task/<pid>/stat: verification, the hop to
 *   the JVM, the answer's way back);
 * - the client's thread (signing, serialization, its HTTP client).
 * Each kind runs `--warm` calls first (default 100), then `--calls` (default 400) `--concurrency` at a time
 * (default 4). Linux only (the figures come from /proc).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readProcCpuSeconds } from '../layers/common/proc-stat';
import { generateLocalCredentials } from '../local/credentials';
import { startDynamoDb, startDynamoDbLocalJava } from '../local/emulators/dynamodb';
import { catalogTableDefinition } from '../test/support/catalog-table';
import { option } from './ingest.bench';
import { processCpuSeconds } from './process-cpu';

const TABLE = 'bench';
const KINDS = ['PutItem', 'GetItem', 'UpdateItem', 'TransactWriteItems', 'Query', 'BatchGetItem'] as const;
/**
 * An ingest batch's writes per object (`--kinds claims`): a SOP claim's small conditional put alone, ten and twenty of
 * them in one transaction, a strongly consistent read of twenty such keys, and a staging transaction of ten files
 * (a counter, ten conditional file outcomes, ten instance items of about a CT slice's 1 KB).
 */
const CLAIM_KINDS = ['ClaimPut', 'ClaimTransact10', 'ClaimTransact20', 'ClaimBatchGet20', 'StageTransact10'] as const;
type Kind = (typeof KINDS)[number] | (typeof CLAIM_KINDS)[number];

/** The client thread: plain JavaScript (no transform in a worker), the SDK as the handlers load it. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { DynamoDBClient, PutItemCommand, GetItemCommand, UpdateItemCommand, TransactWriteItemsCommand, QueryCommand, BatchGetItemCommand } =
  require('@aws-sdk/client-dynamodb');
const { endpoint, credentials, region, table } = workerData;
const client = new DynamoDBClient({ endpoint, region, credentials, maxAttempts: 1 });
const cpu = () => { const f = readFileSync('/proc/thread-self/stat', 'latin1'); const r = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(r[11]) + Number(r[12])) / 100; };
// About the size of a CT slice's file item: a few ids, a digest, counters, a status.
const item = (pk, sk) => ({
  pk: { S: pk }, sk: { S: sk }, gsi1pk: { S: 'SERIES#' + pk.slice(-2) }, gsi1sk: { S: sk },
  status: { S: 'staged' }, sha256: { S: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  sopInstanceUid: { S: '1.2.826.0.1.3680043.8.498.' + sk }, bytes: { N: '526000' }, at: { S: new Date().toISOString() },
  findings: { L: [{ M: { rule: { S: 'qa.window' }, severity: { S: 'warning' } } }] },
});
// About a SOP claim: its key, a digest, the file and submission that hold it, when; written only where none is.
const claimPut = (tag, i) => ({ TableName: table, Item: {
  pk: { S: 'CLAIM#' + tag + i }, sk: { S: 'OBJECT' }, type: { S: 'qa-sop-claim' },
  sha256: { S: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  fileId: { S: 'f-' + i }, submissionId: { S: 'sub-' + tag }, claimedAt: { S: new Date().toISOString() } },
  ConditionExpression: 'attribute_not_exists(pk) OR sha256 = :sha OR fileId = :file',
  ExpressionAttributeValues: { ':sha': { S: '0' }, ':file': { S: 'f-' + i } } });
// About a CT slice's instance item (1 KB): ids, size, digest, syntax, the QA facts and catalog fields.
const instance = (pk, sk) => {
  const { gsi1pk, gsi1sk, ...rest } = item(pk, sk);
  return { ...rest, facts: { S: 'x'.repeat(700) }, transferSyntaxUid: { S: '1.2.840.10008.1.2.1' }, modality: { S: 'CT' } };
};
let next = 0;
const call = {
  PutItem: (tag, i) => new PutItemCommand({ TableName: table, Item: item('P#' + tag + (i % 64), 'S#' + i), ConditionExpression: 'attribute_not_exists(pk)' }),
  GetItem: (tag, i) => new GetItemCommand({ TableName: table, Key: { pk: { S: 'P#seed' + (i % 64) }, sk: { S: 'S#' + (i % 8) } }, ConsistentRead: true }),
  UpdateItem: (tag, i) => new UpdateItemCommand({ TableName: table, Key: { pk: { S: 'COUNTER#' + (i % 4) }, sk: { S: 'C' } },
    UpdateExpression: 'ADD staged :one SET #at = :at', ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':one': { N: '1' }, ':at': { S: new Date().toISOString() } } }),
  TransactWriteItems: (tag, i) => new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: table, Item: item('T#' + tag + (i % 64), 'S#' + i), ConditionExpression: 'attribute_not_exists(pk)' } },
    { Update: { TableName: table, Key: { pk: { S: 'COUNTER#' + (i % 4) }, sk: { S: 'T' } }, UpdateExpression: 'ADD staged :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
    { Put: { TableName: table, Item: item('I#' + tag + (i % 64), 'S#' + i) } },
  ] }),
  Query: (tag, i) => new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'P#seed' + (i % 64) } } }),
  ClaimPut: (tag, i) => new PutItemCommand(claimPut(tag, i)),
  ClaimTransact10: (tag, i) => new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 10 }, (_, k) => ({ Put: claimPut(tag, i * 10 + k) })) }),
  ClaimTransact20: (tag, i) => new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 20 }, (_, k) => ({ Put: claimPut(tag, i * 20 + k) })) }),
  StageTransact10: (tag, i) => new TransactWriteItemsCommand({ TransactItems: [
    { Update: { TableName: table, Key: { pk: { S: 'SUBMISSION#' + tag + (i % 4) }, sk: { S: 'SUBMISSION' } },
      UpdateExpression: 'ADD handledCount :n, stagedCount :n', ExpressionAttributeValues: { ':n': { N: '10' } } } },
    ...Array.from({ length: 10 }, (_, k) => ({ Update: { TableName: table, Key: { pk: { S: 'SUBMISSION#' + tag + (i % 4) }, sk: { S: 'FILE#' + (i * 10 + k) } },
      UpdateExpression: 'SET #status = :staged, releasedKey = :key, studyUid = :study, handledAt = :at',
      ConditionExpression: 'attribute_not_exists(#status) OR #status = :announced', ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':staged': { S: 'staged' }, ':announced': { S: 'announced' }, ':key': { S: 'studies/1.2.3/1.2.3.4/' + (i * 10 + k) + '.dcm' },
        ':study': { S: '1.2.826.0.1.3680043.8.498.1' }, ':at': { S: new Date().toISOString() } } } })),
    ...Array.from({ length: 10 }, (_, k) => ({ Put: { TableName: table, Item: instance('STUDY#' + tag, 'INSTANCE#' + (i * 10 + k)) } })),
  ] }),
  ClaimBatchGet20: (tag, i) => new BatchGetItemCommand({ RequestItems: { [table]: { ConsistentRead: true,
    Keys: Array.from({ length: 20 }, (_, k) => ({ pk: { S: 'CLAIM#seed' + ((i * 20 + k) % 512) }, sk: { S: 'OBJECT' } })) } } }),
  BatchGetItem: (tag, i) => new BatchGetItemCommand({ RequestItems: { [table]: { Keys: [0, 1, 2, 3].map((k) => ({ pk: { S: 'P#seed' + ((i + k) % 64) }, sk: { S: 'S#' + k } })) } } }),
};
async function run(kind, tag, calls, concurrency) {
  let i = 0;
  const lane = async () => { while (i < calls) { i += 1; await client.send(call[kind](tag, next++)); } };
  await Promise.all(Array.from({ length: concurrency }, lane));
}
parentPort.on('message', async ({ kind, tag, calls, concurrency }) => {
  try {
    const before = cpu();
    const start = performance.now();
    await run(kind, tag, calls, concurrency);
    parentPort.postMessage({ cpu: cpu() - before, ms: performance.now() - start });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.name) + ': ' + String(error && error.message) });
  }
});
`;

interface Measured {
  readonly jvm: number;
  /** Of which in the kernel (system time: file and socket calls). */
  readonly jvmSystem: number;
  readonly front: number;
  readonly client: number;
  readonly process: number;
  readonly ms: number;
}

export async function run(): Promise<void> {
  if (process.platform !== 'linux') {
    console.log('skipped: the figures come from /proc (Linux only)');
    return;
  }
  const calls = option('calls', 400);
  const warm = option('warm', 100);
  const concurrency = Math.max(1, option('concurrency', 4));
  const kinds: readonly Kind[] = process.argv[process.argv.indexOf('--kinds') + 1] === 'claims' ? CLAIM_KINDS : KINDS;
  const at = process.argv.indexOf('--jvm');
  const jvmFlags = at >= 0 ? (process.argv[at + 1] ?? '').split(/\s+/).filter(Boolean) : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'hilum-dynamodb-bench-'));
  const credentials = generateLocalCredentials();
  const started = performance.now();
  const java = await startDynamoDbLocalJava({
    dbPath: join(dataDir, 'dynamodb'),
    sharedDb: true,
    ...(jvmFlags ? { jvmFlags } : {}),
  });
  const listening = performance.now() - started;
  const emulator = await startDynamoDb({ dataDir, credentials, java });
  const startCpu = processCpuSeconds(java.pid);
  const worker = new Worker(CLIENT, {
    eval: true,
    workerData: { endpoint: emulator.endpoint, credentials, region: 'us-east-1', table: TABLE },
  });
  const ask = (kind: Kind | 'seed', tag: string, n: number): Promise<{ cpu: number; ms: number }> =>
    new Promise((resolve, reject) => {
      worker.once('message', (answer: { cpu: number; ms: number; error?: string }) =>
        answer.error ? reject(new Error(answer.error)) : resolve(answer),
      );
      worker.postMessage({ kind, tag, calls: n, concurrency });
    });
  const mainThread = () => readProcCpuSeconds(`/proc/self/task/${process.pid}/stat`, 'own') ?? NaN;
  const ownCpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  try {
    await emulator.createTables([catalogTableDefinition(TABLE)]);
    // What the reads find: 64 partitions of 8 items (PutItem under the tag `seed`).
    await ask('PutItem', 'seed', 512);
    if (kinds.includes('ClaimBatchGet20')) await ask('ClaimPut', 'seed', 512);
    console.log(
      `DynamoDB Local: JVM flags ${(jvmFlags ?? ['(default)']).join(' ')}; listening after ${(listening / 1000).toFixed(1)} s, ` +
        `its CPU to start and seed 512 items ${(startCpu ?? NaN).toFixed(1)} s; ${calls} calls per kind, ${concurrency} at a time, after ${warm}`,
    );
    const results = new Map<Kind, Measured>();
    for (const kind of kinds) {
      if (warm > 0) await ask(kind, 'warm', warm);
      const jvm0 = processCpuSeconds(java.pid) ?? NaN;
      const system0 = systemCpuSeconds(java.pid);
      const front0 = mainThread();
      const process0 = ownCpu();
      const { cpu: client, ms } = await ask(kind, 'run', calls);
      results.set(kind, {
        jvm: (processCpuSeconds(java.pid) ?? NaN) - jvm0,
        jvmSystem: systemCpuSeconds(java.pid) - system0,
        front: mainThread() - front0,
        client,
        process: ownCpu() - process0,
        ms,
      });
    }
    const perCall = (seconds: number) => ((seconds * 1000) / calls).toFixed(2).padStart(7);
    console.log('ms of CPU per call      JVM (system)  front  client  (this process, all threads)  calls/s');
    for (const [kind, m] of results) {
      console.log(
        `${kind.padEnd(20)} ${perCall(m.jvm)} ${perCall(m.jvmSystem)} ${perCall(m.front)} ${perCall(m.client)}  ${perCall(m.process)}` +
          `                   ${((calls * 1000) / m.ms).toFixed(0).padStart(6)}`,
      );
    }
    console.log(
      `the JVM's CPU over the whole run (start, compilation and every call included): ${(processCpuSeconds(java.pid) ?? NaN).toFixed(1)} s`,
    );
    const rss = readProcStatus(java.pid);
    if (rss) console.log(`JVM resident memory at the end: ${rss}`);
  } finally {
    await worker.terminate();
    await emulator.stop();
    await java.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A process's system CPU seconds (field 15 of its stat line), NaN where it cannot be read. */
function systemCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]) / 100;
  } catch {
    return NaN;
  }
}

function readProcStatus(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    return /VmRSS:\s*(.+)/.exec(status)?.[1]?.trim();
  } catch {
    return undefined;
  }
}
