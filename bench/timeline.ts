/**
 * An opt-in timeline of `npm run bench ingest` (HILUM_BENCH_TIMELINE=<folder>): where the cores idle between the
 * first file checked and the last outcome. Two halves:
 * - bench/timeline-sampler.js, a process of its own, reads every thread's scheduler figures of the bench's process
 *   tree every 50 ms (ran + waited for a core: what the tree asked of the cores, which another process's load does
 *   not change);
 * - this module marks what the pipeline did when: each Lambda invocation with its function and worker thread, each
 *   object queued for the pipe and each batch the pipe handed on, the workflows' executions, `hilum upload`'s start
 *   and exit. It wraps the commons' classes' methods in this process (the commons' code stays as it runs without
 *   the timeline), so it is for measuring only.
 * `finish` writes events.json and samples.jsonl to the folder and answers a text report: per set, the cores asked
 * per phase and the core-seconds left idle on a 2-core machine, and a strip of 250 ms buckets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FunctionWorkerPool } from '../local/function-workers';
import { LocalSqsQueue } from '../local/sqs-pipe';
import type { ExecutionRecord } from '../local/workflow-runner';

export type TimelineEvent =
  | { readonly t: number; readonly kind: 'invoke'; readonly fn: string; readonly lane: number; readonly end: number }
  | { readonly t: number; readonly kind: 'queued' }
  | { readonly t: number; readonly kind: 'batch'; readonly records: number }
  | { readonly t: number; readonly kind: 'execution'; readonly workflow: string; readonly end: number }
  | { readonly t: number; readonly kind: 'mark'; readonly what: string };

interface Sample {
  readonly t: number;
  readonly threads: readonly (readonly [number, number, string, number, number])[];
}

const now = () => performance.timeOrigin + performance.now();
const CORES = 2;

export class Timeline {
  private readonly events: TimelineEvent[] = [];
  private readonly sampler: ChildProcess;
  private readonly unwrap: (() => void)[] = [];
  private uploadPid: number | undefined;
  private jvmPid: number | undefined;

  constructor(private readonly folder: string) {
    mkdirSync(folder, { recursive: true });
    this.sampler = spawn(process.execPath, [join(__dirname, 'timeline-sampler.js'), String(process.pid), this.samplesPath, '50'], {
      stdio: 'ignore',
    });
    this.wrapInvocations();
    this.wrapQueue();
  }

  private get samplesPath(): string {
    return join(this.folder, 'samples.jsonl');
  }

  mark(what: string): void {
    this.events.push({ t: now(), kind: 'mark', what });
  }

  processes(pids: { readonly upload?: number; readonly jvm?: number }): void {
    if (pids.upload !== undefined) this.uploadPid = pids.upload;
    if (pids.jvm !== undefined) this.jvmPid = pids.jvm;
  }

  /** Stops the sampler, adds the executions, writes the files and answers the report. */
  async finish(executions: readonly ExecutionRecord[]): Promise<string> {
    for (const undo of this.unwrap) undo();
    for (const e of executions) {
      this.events.push({
        t: e.startDate.getTime(),
        kind: 'execution',
        workflow: e.workflow,
        end: (e.stopDate ?? new Date()).getTime(),
      });
    }
    await new Promise<void>((resolve) => {
      this.sampler.once('exit', () => resolve());
      this.sampler.kill('SIGTERM');
    });
    this.events.sort((a, b) => a.t - b.t);
    writeFileSync(join(this.folder, 'events.json'), JSON.stringify(this.events));
    const samples = readFileSync(this.samplesPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Sample);
    const report = timelineReport(this.events, samples, { bench: process.pid, upload: this.uploadPid, jvm: this.jvmPid });
    writeFileSync(join(this.folder, 'report.txt'), report);
    return report;
  }

  private wrapInvocations(): void {
    const events = this.events;
    const original = FunctionWorkerPool.prototype.invoke;
    FunctionWorkerPool.prototype.invoke = function (this: FunctionWorkerPool, request) {
      const before = this.given();
      const t = now();
      const reply = original.call(this, request);
      const lane = this.given().findIndex((n, i) => n !== before[i]);
      const done = () => events.push({ t, kind: 'invoke', fn: request.functionId, lane, end: now() });
      reply.then(done, done);
      return reply;
    };
    this.unwrap.push(() => (FunctionWorkerPool.prototype.invoke = original));
  }

  private wrapQueue(): void {
    const events = this.events;
    const send = LocalSqsQueue.prototype.send;
    LocalSqsQueue.prototype.send = function (this: LocalSqsQueue, body: string) {
      events.push({ t: now(), kind: 'queued' });
      return send.call(this, body);
    };
    const receive = LocalSqsQueue.prototype.receive;
    LocalSqsQueue.prototype.receive = function (this: LocalSqsQueue, max: number) {
      const records = receive.call(this, max);
      events.push({ t: now(), kind: 'batch', records: records.length });
      return records;
    };
    this.unwrap.push(() => {
      LocalSqsQueue.prototype.send = send;
      LocalSqsQueue.prototype.receive = receive;
    });
  }
}

/** The timeline HILUM_BENCH_TIMELINE asks for, else none. */
export function timelineFromEnvironment(): Timeline | undefined {
  const folder = process.env['HILUM_BENCH_TIMELINE'];
  return folder ? new Timeline(folder) : undefined;
}

type Group = 'client' | 'jvm' | 'main' | 'workers' | 'v8' | 'libuv' | 'other';

function groupOf(pid: number, tid: number, comm: string, pids: { bench: number; upload?: number; jvm?: number }): Group {
  if (pid === pids.jvm) return 'jvm';
  if (pid !== pids.bench) return 'client';
  if (tid === pid) return 'main';
  if (comm === 'WorkerThread') return 'workers';
  if (comm.startsWith('V8')) return 'v8';
  if (comm.startsWith('libuv')) return 'libuv';
  return 'other';
}

interface Interval {
  readonly from: number;
  readonly to: number;
  /** Cores asked (ran + waited), by group. */
  readonly asked: Map<Group, number>;
  readonly total: number;
}

function intervals(samples: readonly Sample[], pids: { bench: number; upload?: number; jvm?: number }): Interval[] {
  const out: Interval[] = [];
  for (let i = 1; i < samples.length; i += 1) {
    const from = samples[i - 1]!.t;
    const to = samples[i]!.t;
    const asked = new Map<Group, number>();
    let total = 0;
    for (const [pid, tid, comm, ran, waited] of samples[i]!.threads) {
      const cores = (ran + waited) / 1e6 / (to - from);
      const group = groupOf(pid, tid, comm, pids);
      asked.set(group, (asked.get(group) ?? 0) + cores);
      total += cores;
    }
    out.push({ from, to, asked, total });
  }
  return out;
}

/** Over [from, to): core-seconds asked, and core-seconds a CORES-core machine left idle (asked below CORES). */
function usage(ivs: readonly Interval[], from: number, to: number): { seconds: number; asked: number; idle: number } {
  let asked = 0;
  let idle = 0;
  for (const iv of ivs) {
    const a = Math.max(from, iv.from);
    const b = Math.min(to, iv.to);
    if (b <= a) continue;
    const s = (b - a) / 1000;
    asked += Math.min(iv.total, CORES) * s;
    idle += Math.max(0, CORES - iv.total) * s;
  }
  return { seconds: (to - from) / 1000, asked, idle };
}

export function timelineReport(
  events: readonly TimelineEvent[],
  samples: readonly Sample[],
  pids: { bench: number; upload?: number; jvm?: number },
): string {
  const ivs = intervals(samples, pids);
  const lines: string[] = [];
  const marks = events.filter((e): e is Extract<TimelineEvent, { kind: 'mark' }> => e.kind === 'mark');
  const starts = marks.filter((m) => m.what.startsWith('set-start'));
  for (const start of starts) {
    const name = start.what.slice('set-start '.length);
    const end = marks.find((m) => m.what === `set-end ${name}` && m.t > start.t)?.t ?? Infinity;
    const inSet = events.filter((e) => e.t >= start.t && e.t <= end);
    const exit = marks.find((m) => m.what === `upload-exit ${name}` && m.t > start.t)?.t ?? end;
    const invokes = inSet.filter((e): e is Extract<TimelineEvent, { kind: 'invoke' }> => e.kind === 'invoke');
    const firstOf = (fn: string) => invokes.find((e) => e.fn === fn)?.t;
    const queued = inSet.filter((e) => e.kind === 'queued').map((e) => e.t);
    const batches = invokes.filter((e) => e.fn === 'IngestBatch');
    const lastBatchEnd = Math.max(...batches.map((b) => b.end));
    const subs = inSet.filter(
      (e): e is Extract<TimelineEvent, { kind: 'execution' }> => e.kind === 'execution' && e.workflow.startsWith('submission'),
    );
    const checkEnd = firstOf('CreateSubmission') ?? start.t;
    const phases: [string, number, number][] = [
      ['start + check (to CreateSubmission)', start.t, checkEnd],
      ['announce (to the first object queued)', checkEnd, queued[0] ?? checkEnd],
      ['uploading (first to last object queued)', queued[0] ?? checkEnd, queued.at(-1) ?? checkEnd],
      ['batches after the last PUT', queued.at(-1) ?? checkEnd, lastBatchEnd],
      ['after the last batch, to --wait exit', lastBatchEnd, exit],
      ['after --wait exit, to idle', exit, end],
    ];
    const whole = usage(ivs, start.t, end);
    lines.push(
      `== ${name}: ${whole.seconds.toFixed(2)} s, cores asked ${(whole.asked / whole.seconds).toFixed(2)} of ${CORES}, ` +
        `idle core-seconds ${whole.idle.toFixed(2)} (${((100 * whole.idle) / (CORES * whole.seconds)).toFixed(0)}%)`,
    );
    for (const [label, a, b] of phases) {
      const u = usage(ivs, a, b);
      lines.push(
        `  ${label.padEnd(42)} ${((a - start.t) / 1000).toFixed(2).padStart(6)} -> ${((b - start.t) / 1000).toFixed(2).padStart(6)} s` +
          `  asked ${(u.seconds > 0 ? u.asked / u.seconds : 0).toFixed(2)}  idle ${u.idle.toFixed(2)} core-s`,
      );
    }
    for (const sub of subs) {
      lines.push(`  execution ${sub.workflow}: ${((sub.t - start.t) / 1000).toFixed(2)} -> ${((sub.end - start.t) / 1000).toFixed(2)} s`);
    }
    lines.push(`  invocations (start-end s, lane):`);
    for (const e of invokes) {
      if (e.fn === 'PresignUpload' || e.fn === 'RequestUploads') continue;
      lines.push(
        `    ${((e.t - start.t) / 1000).toFixed(2).padStart(6)}-${((e.end - start.t) / 1000).toFixed(2).padEnd(6)} L${e.lane} ${e.fn}`,
      );
    }
    const batchSizes = inSet.filter((e): e is Extract<TimelineEvent, { kind: 'batch' }> => e.kind === 'batch');
    lines.push(
      `  pipe batches: ${batchSizes.map((b) => `${((b.t - start.t) / 1000).toFixed(2)}s:${b.records}`).join(' ')}`,
      `  objects queued: ${queued.map((t) => ((t - start.t) / 1000).toFixed(2)).join(' ')}`,
    );
    lines.push('  250 ms buckets: t  asked(total) client jvm main workers v8 libuv');
    for (let a = start.t; a < end; a += 250) {
      const b = Math.min(end, a + 250);
      const groups = new Map<Group, number>();
      let total = 0;
      for (const iv of ivs) {
        const x = Math.max(a, iv.from);
        const y = Math.min(b, iv.to);
        if (y <= x) continue;
        const w = (y - x) / (b - a);
        for (const [g, c] of iv.asked) groups.set(g, (groups.get(g) ?? 0) + c * w);
        total += iv.total * w;
      }
      const f = (g: Group) => (groups.get(g) ?? 0).toFixed(2).padStart(5);
      lines.push(
        `    ${((a - start.t) / 1000).toFixed(2).padStart(6)} ${total.toFixed(2).padStart(5)} ${'#'.repeat(Math.round(total * 10)).padEnd(22)} ` +
          `${f('client')} ${f('jvm')} ${f('main')} ${f('workers')} ${f('v8')} ${f('libuv')}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
