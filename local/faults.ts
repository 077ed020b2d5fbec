import type { ActivityTracker } from './activity';
import type { BusEvent } from './event-bus';

/**
 * Fault injection for chaos runs (issue 12), in the local runtime only: the handlers
 * never see it. Off unless `startLocalCommons({ faults })` or `HILUM_FAULTS` turns it on.
 *
 * - A fraction of the workflows' task invocations fails. Half of the failures are thrown
 *   errors, before the handler runs: the Lambda service refusing the invocation
 *   (`Lambda.ServiceException`, retried by the workflow's transient Retry) or the handler
 *   crashing (`InjectedFault`, caught as the file's fault). The other half are timeouts,
 *   after or while the handler does its work, as Step Functions sees them: `Sandbox.Timedout`
 *   (Lambda stopped the function: its side effects happened, its answer is lost) and
 *   `States.Timeout` (the Task's own timeout: the state fails at once while the invocation
 *   goes on in the background and finishes later, concurrently with the retry).
 * - A fraction of S3 "Object Created" events is delivered twice, and a fraction delivered
 *   late (up to `maxDelayMs`), so after events that were sent after them.
 *
 * Decisions come from a seeded generator, one stream for tasks and one for events, so the
 * sequence of decisions is the seed's; which invocation draws which decision follows the
 * order they happen in, which concurrency may change between runs.
 */

export interface FaultOptions {
  readonly seed: number;
  /** Fraction of workflow task invocations that fail (0..1). */
  readonly taskFailureRate?: number;
  /** Fraction of S3 "Object Created" events delivered twice (0..1). */
  readonly duplicateEventRate?: number;
  /** Fraction of S3 "Object Created" events (each copy on its own) delivered late (0..1). */
  readonly delayEventRate?: number;
  /** Longest delay of a late event; default 3000 ms. */
  readonly maxDelayMs?: number;
  /** Workflows whose tasks may fail (registry ids: `ingest`, `submission`); default all. */
  readonly workflows?: readonly string[];
}

export type TaskFaultKind = 'Lambda.ServiceException' | 'InjectedFault' | 'Sandbox.Timedout' | 'States.Timeout';
export const TASK_FAULT_KINDS: readonly TaskFaultKind[] = [
  'Lambda.ServiceException',
  'InjectedFault',
  'Sandbox.Timedout',
  'States.Timeout',
];

export class FaultOptionsError extends Error {
  override readonly name = 'FaultOptionsError';
}

/** An injected failure, with the error name Step Functions matches. */
export class InjectedTaskFault extends Error {
  constructor(name: TaskFaultKind, message: string) {
    super(message);
    this.name = name;
  }
}

/** mulberry32, as test/support/random.ts (local/ must not import test/). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS: Readonly<Record<string, keyof FaultOptions>> = {
  seed: 'seed',
  tasks: 'taskFailureRate',
  duplicates: 'duplicateEventRate',
  delays: 'delayEventRate',
  maxdelayms: 'maxDelayMs',
  workflows: 'workflows',
};

/**
 * Reads `HILUM_FAULTS`: `seed=7,tasks=0.1,duplicates=0.2,delays=0.2[,maxDelayMs=3000][,workflows=ingest+submission]`.
 * Empty or absent: no faults. Anything malformed is refused, so a typo never runs a "chaos" run without chaos.
 */
export function parseFaultOptions(text: string | undefined): FaultOptions | undefined {
  if (!text || !text.trim()) return undefined;
  const fields: Record<string, unknown> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [rawKey, value, extra] = part.split('=');
    const key = KEYS[(rawKey ?? '').trim().toLowerCase()];
    if (!key || value === undefined || extra !== undefined)
      throw new FaultOptionsError(`HILUM_FAULTS: cannot read "${part}" (keys: ${Object.keys(KEYS).join(', ')})`);
    if (key === 'workflows') {
      fields[key] = value
        .split('+')
        .map((w) => w.trim())
        .filter(Boolean);
      continue;
    }
    const n = Number(value);
    if (!Number.isFinite(n)) throw new FaultOptionsError(`HILUM_FAULTS: ${rawKey} must be a number`);
    fields[key] = n;
  }
  if (fields.seed === undefined) throw new FaultOptionsError('HILUM_FAULTS: a seed is required (seed=N), so that the run can be repeated');
  return checked(fields as unknown as FaultOptions);
}

function checked(options: FaultOptions): FaultOptions {
  if (!Number.isInteger(options.seed)) throw new FaultOptionsError('faults: the seed must be an integer');
  for (const key of ['taskFailureRate', 'duplicateEventRate', 'delayEventRate'] as const) {
    const rate = options[key];
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new FaultOptionsError(`faults: ${key} must be between 0 and 1`);
  }
  if (options.maxDelayMs !== undefined && !(options.maxDelayMs >= 0)) throw new FaultOptionsError('faults: maxDelayMs must be 0 or more');
  return options;
}

/**
 * `submissionId/fileId`, or the submission, of a task's input: what a fault line names (ids only, never data). A
 * batch's input (IngestBatch: SQS records whose bodies are Object Created events) names each of its objects, joined
 * by commas, so a chaos run's checks find every file a fault on the batch hit.
 */
export function subjectOf(payload: unknown): string {
  const p = (payload ?? {}) as Record<string, unknown>;
  if (Array.isArray(p.records)) {
    const subjects = p.records.map((record: { body?: unknown }) => subjectOf(parsedBody(record?.body))).filter((s) => s !== '-');
    return subjects.length > 0 ? [...new Set(subjects)].join(',') : '-';
  }
  const detail = p.detail as { object?: { key?: unknown }; submissionId?: unknown } | undefined;
  const key = [p.key, p.originalKey, detail?.object?.key].find((k): k is string => typeof k === 'string');
  const fromKey = key ? /^(?:intake|work)\/([^/]+)\/([^/.]+)(?:\.dcm)?$/.exec(key) : null;
  if (fromKey) return `${fromKey[1]}/${fromKey[2]}`;
  if (typeof p.submissionId === 'string') return typeof p.fileId === 'string' ? `${p.submissionId}/${p.fileId}` : p.submissionId;
  if (typeof detail?.submissionId === 'string') return detail.submissionId;
  return '-';
}

function parsedBody(body: unknown): unknown {
  try {
    return typeof body === 'string' ? JSON.parse(body) : undefined;
  } catch {
    return undefined;
  }
}

export interface TaskInvocation {
  readonly workflow: string;
  readonly state: string;
  readonly functionName: string;
  readonly payload: unknown;
}

export type TaskInvoke = (invocation: TaskInvocation) => Promise<unknown>;

export class FaultInjector {
  private readonly taskRandom: () => number;
  private readonly eventRandom: () => number;
  private readonly counts = new Map<string, number>();
  private readonly late = new Map<NodeJS.Timeout, (() => void) | undefined>();

  constructor(
    readonly options: FaultOptions,
    private readonly log: (message: string) => void,
    private readonly tracker?: ActivityTracker,
  ) {
    checked(options);
    this.taskRandom = seededRandom(options.seed);
    this.eventRandom = seededRandom(options.seed ^ 0x5eed5eed);
  }

  /** Injected faults so far, by kind (`Sandbox.Timedout`, `duplicate`, `delay`...). */
  injected(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.counts);
  }

  describe(): string {
    const o = this.options;
    return (
      `seed ${o.seed}, task failures ${o.taskFailureRate ?? 0}, duplicated events ${o.duplicateEventRate ?? 0}, ` +
      `late events ${o.delayEventRate ?? 0} (up to ${o.maxDelayMs ?? 3000} ms)${o.workflows ? `, workflows ${o.workflows.join('+')}` : ''}`
    );
  }

  private note(kind: string, line: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    // One line per fault, ids only: a chaos run's checks read them to find every file a fault hit.
    this.log(`fault injected: ${line}`);
  }

  /** Wraps a workflow task invocation: most pass through, a fraction fails as drawn. */
  wrapTask(invoke: TaskInvoke): TaskInvoke {
    return async (invocation) => {
      const applies = !this.options.workflows || this.options.workflows.includes(invocation.workflow);
      if (!applies || this.taskRandom() >= (this.options.taskFailureRate ?? 0)) return invoke(invocation);
      const kind = TASK_FAULT_KINDS[Math.floor(this.taskRandom() * TASK_FAULT_KINDS.length)]!;
      this.note(kind, `${kind} ${invocation.workflow}/${invocation.state} ${subjectOf(invocation.payload)}`);
      const fault = new InjectedTaskFault(kind, `injected ${kind} in ${invocation.state}`);
      switch (kind) {
        case 'Lambda.ServiceException':
        case 'InjectedFault':
          throw fault;
        case 'Sandbox.Timedout':
          // The function ran (and did what it does) but Lambda stopped it before it answered.
          await invoke(invocation).catch(() => undefined);
          throw fault;
        case 'States.Timeout': {
          // The Task timed out; the invocation itself is not stopped and finishes on its own.
          const end = this.tracker?.begin();
          void invoke(invocation)
            .catch(() => undefined)
            .finally(() => end?.());
          throw fault;
        }
      }
    };
  }

  /**
   * Delivers an S3 event through `put`: "Object Created" events are sometimes delivered
   * twice, and each copy sometimes late. Other events pass through untouched.
   */
  deliver(event: BusEvent, put: (event: BusEvent) => void): void {
    if (event.source !== 'aws.s3' || event['detail-type'] !== 'Object Created') {
      put(event);
      return;
    }
    const subject = subjectOf(event);
    const copies = this.eventRandom() < (this.options.duplicateEventRate ?? 0) ? 2 : 1;
    if (copies === 2) this.note('duplicate', `duplicate event ${subject}`);
    for (let i = 0; i < copies; i += 1) {
      if (this.eventRandom() >= (this.options.delayEventRate ?? 0)) {
        put(event);
        continue;
      }
      const delayMs = Math.floor(this.eventRandom() * (this.options.maxDelayMs ?? 3000));
      this.note('delay', `late event ${subject} +${delayMs} ms`);
      const end = this.tracker?.begin();
      const timer = setTimeout(() => {
        this.late.delete(timer);
        try {
          put(event);
        } finally {
          end?.();
        }
      }, delayMs);
      this.late.set(timer, end);
    }
  }

  /** Drops the late events still waiting (the commons stops: as a crash would lose them). */
  stop(): void {
    for (const [timer, end] of this.late) {
      clearTimeout(timer);
      end?.();
    }
    this.late.clear();
  }
}
