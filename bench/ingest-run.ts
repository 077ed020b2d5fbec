/**
 * The ingest run both `npm run bench ingest` and `npm run bench cost` measure: a fresh local commons
 * (as `hilum start --no-sample` runs it, here in this process so its usage meter can be read) takes a
 * generated CT series and a set of radiographs through the site path, `hilum upload --wait` in a
 * child process per set (QA check at the site, presigned PUTs, sealed submissions, waiting for the
 * pipeline's outcome). Each set's wall time, process CPU time, metered usage and executions are
 * returned separately.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../cli/lib/api-client';
import { startLocalCommons } from '../local/commons';
import { DEFAULT_FUNCTION_WORKERS } from '../local/function-workers';
import { meterHandlerLogs } from '../local/handler-log-meter';
import { UsageMeter, type UsageCounts } from '../local/usage-meter';
import type { ExecutionRecord } from '../local/workflow-runner';
import { HILUM_CLI } from '../test/support/commons-process';
import { makeDicom } from '../test/support/synthetic-dicom';
import { usageBetween, type BilledExecution } from './cost-model';
import { childrenCpuSeconds, processCpuSeconds, threadCpuByName, threadsCpuSeconds } from './process-cpu';
import { timelineFromEnvironment, type Timeline } from './timeline';

const PROJECT = 'bench-ingest';
const SITE = 'bench-site';

export interface IngestRunOptions {
  readonly slices: number;
  readonly radiographs: number;
  readonly radiographSize: number;
  /** Progress lines (generation, each set ingested); absent: silent. */
  readonly log?: (line: string) => void;
  /**
   * Runs the handlers at their configured log level (the template's LOG_LEVEL), with their metrics (EMF records)
   * printed as in AWS, and meters the lines they log, keeping them off the terminal (`bench cost`); absent: they
   * log at WARN, unmetered (`bench ingest`, whose CPU figures stay comparable with earlier runs).
   */
  readonly meterHandlerLogs?: boolean;
  /**
   * false: the commons runs without its usage meter, as `hilum start` does (`bench ingest`, whose figures are CPU
   * times): pricing a transaction makes the DynamoDB front read each of its items before and after it, two
   * GetItems per item (a CT slice's staging and its share of the announcement: about eight calls to DynamoDB Local
   * beside the pipeline's seven or so). The sets' `usage` is then empty. Default true (`bench cost`).
   */
  readonly metered?: boolean;
  /** Worker threads the handlers run in (`hilum start --function-workers`); default DEFAULT_FUNCTION_WORKERS, 0: the commons' thread. */
  readonly functionWorkers?: number;
}

export interface IngestSetResult {
  readonly set: FileSet;
  readonly seconds: number;
  /** Files the pipeline held for review (quarantined) rather than published. */
  readonly held: number;
  /** User + system CPU of this process (the commons: API, functions, S3 emulator) while the set ran. */
  readonly cpuSeconds: number;
  /** User + system CPU of this process's main thread alone (emulators, API, state machines; the handlers too without worker threads). */
  readonly mainThreadCpuSeconds: number;
  /** The S3 emulator's thread alone (part of cpuSeconds). */
  readonly s3ThreadCpuSeconds: number;
  /** The function worker threads together (part of cpuSeconds; 0 with the handlers on the main thread). */
  readonly functionThreadsCpuSeconds: number;
  /** User + system CPU of the `hilum upload` child, every thread, its start included (Linux only: undefined elsewhere). */
  readonly uploadCpuSeconds?: number;
  /** User + system CPU of DynamoDB Local's JVM while the set ran, every thread of it (Linux only: undefined elsewhere). */
  readonly dynamodbLocalCpuSeconds?: number;
  /**
   * The commons' threads that do not report their own CPU, by kind (part of cpuSeconds; Linux only): V8's platform
   * threads (garbage collection helpers, compilers), libuv's pool (file system calls), and the worker threads other
   * than the S3 and function threads (tesseract.js's OCR workers). A thread that ended during the set is in none.
   */
  readonly otherThreadsCpuSeconds?: { readonly v8Platform: number; readonly libuvPool: number; readonly otherWorkers: number };
  readonly usage: UsageCounts;
  readonly executions: readonly BilledExecution[];
}

export interface IngestRun {
  readonly results: readonly IngestSetResult[];
  /** Removes the generated files and the commons' data. */
  cleanUp(): Promise<void>;
}

export interface FileSet {
  readonly name: string;
  readonly folder: string;
  readonly files: readonly string[];
  readonly bytes: number;
}

async function writeCtSeries(root: string, slices: number): Promise<FileSet> {
  const folder = join(root, 'ct');
  await mkdir(folder, { recursive: true });
  const study = '1.2.826.0.1.3680043.10.1017.21.1';
  const files: string[] = [];
  let bytes = 0;
  for (let i = 1; i <= slices; i += 1) {
    const data = makeDicom({
      modality: 'CT',
      rows: 512,
      columns: 512,
      instanceNumber: i,
      studyInstanceUid: study,
      seriesInstanceUid: `${study}.1`,
      patient: { id: 'BENCH-CT-1', name: 'Bench^Ct' },
    });
    const path = join(folder, `slice-${String(i).padStart(4, '0')}.dcm`);
    await writeFile(path, data);
    files.push(path);
    bytes += data.byteLength;
  }
  return { name: `CT series (${slices} slices, 512 x 512)`, folder, files, bytes };
}

/**
 * A radiograph-like 12-bit image: a smooth elliptical "chest" of higher attenuation on a dark field
 * with mild noise, so the burned-in text check sees an image without text (a synthetic ramp's
 * stripes are nothing a site sends, and read as text-like texture).
 */
function radiographPixels(rows: number, columns: number, seed: number): ArrayBuffer {
  const pixels = new Uint16Array(rows * columns);
  let state = seed >>> 0 || 1;
  const noise = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff - 0.5) * 60;
  };
  const cy = rows / 2;
  const cx = columns / 2;
  for (let y = 0; y < rows; y += 1) {
    for (let x = 0; x < columns; x += 1) {
      const r = Math.hypot((x - cx) / (columns * 0.42), (y - cy) / (rows * 0.45));
      const body = r < 1 ? 2600 * Math.cos((r * Math.PI) / 2) ** 0.5 : 0;
      pixels[y * columns + x] = Math.max(0, Math.min(4095, Math.round(300 + body + noise())));
    }
  }
  return new Uint8Array(pixels.buffer).buffer;
}

/**
 * The commons' threads outside the main, S3 and function threads, from their CPU by thread name: every worker
 * thread is named WorkerThread, so the others are what the S3 and function threads (`reportingWorkers`, their
 * own figures) leave of it.
 */
function otherThreads(
  byName: ReadonlyMap<string, number>,
  reportingWorkers: number,
): NonNullable<IngestSetResult['otherThreadsCpuSeconds']> {
  return {
    v8Platform: byName.get('V8Worker') ?? 0,
    libuvPool: byName.get('libuv-worker') ?? 0,
    otherWorkers: Math.max(0, (byName.get('WorkerThread') ?? 0) - reportingWorkers),
  };
}

async function writeRadiographs(root: string, count: number, size: number): Promise<FileSet> {
  const folder = join(root, 'dx');
  await mkdir(folder, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  for (let i = 1; i <= count; i += 1) {
    const study = `1.2.826.0.1.3680043.10.1017.21.2.${i}`;
    const rows = Math.round(size * 1.22);
    const data = makeDicom({
      modality: 'DX',
      rows,
      columns: size,
      elements: { '7FE00010': { vr: 'OW', Value: [radiographPixels(rows, size, i)] } },
      studyInstanceUid: study,
      seriesInstanceUid: `${study}.1`,
      burnedInAnnotation: 'NO',
      patient: { id: `BENCH-DX-${i}`, name: `Bench^Dx${i}` },
    });
    const path = join(folder, `dx-${String(i).padStart(3, '0')}.dcm`);
    await writeFile(path, data);
    files.push(path);
    bytes += data.byteLength;
  }
  return { name: `radiographs (${count}, ${size} x ${Math.round(size * 1.22)})`, folder, files, bytes };
}

/**
 * `hilum upload FOLDER --force --wait` as a site runs it; resolves with how many files the pipeline held
 * (exit 3: the upload went through and some files ended quarantined, which is an outcome too; --force so
 * that a file the site-side check would hold back is still sent and its end state counted).
 */
function uploadAndWait(set: FileSet, env: NodeJS.ProcessEnv, statePath: string, timeline?: Timeline): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [HILUM_CLI, 'upload', set.folder, '--project', PROJECT, '--site', SITE, '--force', '--wait', '--quiet', '--state', statePath],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    timeline?.processes({ ...(child.pid !== undefined ? { upload: child.pid } : {}) });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      timeline?.mark(`upload-exit ${set.name}`);
      if (code === 0 || code === 3) resolve(output.split('\n').filter((line) => /^\s*quarantined /.test(line)).length);
      else reject(new Error(`hilum upload of the ${set.name} exited ${code}:\n${output.slice(-4000)}`));
    });
  });
}

function billed(record: ExecutionRecord, type: 'STANDARD' | 'EXPRESS'): BilledExecution {
  return {
    workflow: record.workflow,
    type,
    // Step Functions bills each state entered, and each retry, as a transition.
    transitions: record.history.filter((h) => h.event === 'entered' || h.event === 'retried').length,
    durationMs: (record.stopDate ?? new Date()).getTime() - record.startDate.getTime(),
  };
}

export async function runIngest(options: IngestRunOptions): Promise<IngestRun> {
  const log = options.log ?? (() => undefined);
  const root = await mkdtemp(join(tmpdir(), 'hilum-bench-ingest-'));
  const cleanUp = () => rm(root, { recursive: true, force: true });
  try {
    const files = join(root, 'files');
    const sets = [
      await writeCtSeries(files, options.slices),
      await writeRadiographs(files, options.radiographs, options.radiographSize),
    ].filter((s) => s.files.length > 0);
    for (const set of sets) log(`generated ${set.name}: ${set.files.length} files, ${(set.bytes / 1e6).toFixed(0)} MB`);

    const meter = new UsageMeter();
    const timeline = timelineFromEnvironment();
    const stopMeteringLogs = options.meterHandlerLogs ? meterHandlerLogs(meter) : () => undefined;
    const commons = await startLocalCommons({
      dataDir: join(root, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      ...(options.meterHandlerLogs ? { handlerMetrics: true } : { handlerLogLevel: 'WARN' }),
      ...(options.metered === false ? {} : { meter }),
      functionWorkers: options.functionWorkers ?? DEFAULT_FUNCTION_WORKERS,
      log: () => undefined,
    }).catch((error: unknown) => {
      stopMeteringLogs();
      throw error;
    });
    try {
      const curatorToken = await commons.issueToken(['curator'], 'bench-curator');
      await new HilumApi(commons.apiUrl, curatorToken).request('POST', '/projects', {
        projectId: PROJECT,
        name: PROJECT,
        availability: 'open',
        sites: [SITE],
      });
      const env = {
        ...process.env,
        HILUM_API_URL: commons.apiUrl,
        HILUM_TOKEN: await commons.issueToken([`site-uploader:${SITE}`], 'bench-uploader'),
        XDG_STATE_HOME: join(root, 'state'),
      };
      timeline?.processes({ ...(commons.dynamodbLocalPid !== undefined ? { jvm: commons.dynamodbLocalPid } : {}) });
      const typeOf = new Map([...commons.model.workflows.values()].map((w) => [w.arn, w.type] as const));
      const results: IngestSetResult[] = [];
      for (const [i, set] of sets.entries()) {
        await commons.idle();
        const before = meter.snapshot();
        const executionsBefore = commons.executions().length;
        const cpuBefore = process.cpuUsage();
        const mainBefore = process.threadCpuUsage();
        const s3Before = await commons.s3ThreadCpuUsage();
        const functionsBefore = await commons.functionThreadsCpuUsage();
        const childrenBefore = childrenCpuSeconds();
        const jvmBefore = processCpuSeconds(commons.dynamodbLocalPid);
        const threadsBefore = threadsCpuSeconds();
        const started = process.hrtime.bigint();
        timeline?.mark(`set-start ${set.name}`);
        const held = await uploadAndWait(set, env, join(root, `upload-state-${i}.json`), timeline);
        const childrenAfter = childrenCpuSeconds();
        // --wait returns with every file's outcome; what the pipeline still does after (the study-level
        // workflow, indexing) is part of the set's bill.
        await commons.idle();
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        timeline?.mark(`set-end ${set.name}`);
        const cpu = process.cpuUsage(cpuBefore);
        const main = process.threadCpuUsage(mainBefore);
        const s3After = await commons.s3ThreadCpuUsage();
        const functionsAfter = await commons.functionThreadsCpuUsage();
        const jvmAfter = processCpuSeconds(commons.dynamodbLocalPid);
        const threadsAfter = threadsCpuSeconds();
        const s3ThreadCpuSeconds = (s3After.user + s3After.system - s3Before.user - s3Before.system) / 1e6;
        const functionThreadsCpuSeconds =
          (functionsAfter.user + functionsAfter.system - functionsBefore.user - functionsBefore.system) / 1e6;
        results.push({
          set,
          seconds,
          held,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
          mainThreadCpuSeconds: (main.user + main.system) / 1e6,
          s3ThreadCpuSeconds,
          functionThreadsCpuSeconds,
          ...(childrenBefore !== undefined && childrenAfter !== undefined ? { uploadCpuSeconds: childrenAfter - childrenBefore } : {}),
          ...(jvmBefore !== undefined && jvmAfter !== undefined ? { dynamodbLocalCpuSeconds: jvmAfter - jvmBefore } : {}),
          ...(threadsBefore && threadsAfter
            ? {
                otherThreadsCpuSeconds: otherThreads(
                  threadCpuByName(threadsBefore, threadsAfter),
                  s3ThreadCpuSeconds + functionThreadsCpuSeconds,
                ),
              }
            : {}),
          usage: usageBetween(before, meter.snapshot()),
          executions: commons
            .executions()
            .slice(executionsBefore)
            .map((r) => billed(r, typeOf.get(r.stateMachineArn) ?? 'STANDARD')),
        });
        log(`ingested ${set.name} in ${seconds.toFixed(1)} s${held ? ` (${held} held for review)` : ''}`);
      }
      if (timeline) log(await timeline.finish(commons.executions()));
      return { results, cleanUp };
    } finally {
      await commons.stop().finally(stopMeteringLogs);
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
