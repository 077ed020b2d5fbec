/**
 * Runs fuzz cases in worker processes, so a hang is seen (a case over its time
 * budget: the worker is killed and replaced) and a crash of the process itself
 * is counted rather than ending the run. Tallies outcomes by class and kind,
 * and the workers' peak resident memory.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FUZZ_CLASSES, type FuzzClass, type Outcome } from './cases';
import { MUTATION_KINDS, type MutationKind } from './mutate';

export interface FuzzOptions {
  count: number;
  runSeed: number;
  workers?: number;
  /** Per case, parse + de-identify + verify + search. */
  budgetMs?: number;
  onProgress?: (done: number, byClass: Readonly<Record<FuzzClass, number>>) => void;
}

export interface FuzzReport {
  total: number;
  byClass: Record<FuzzClass, number>;
  byKind: Record<MutationKind, Record<FuzzClass, number>>;
  /** The cases that were not ok (up to 50 of each class), to replay by index. */
  findings: Outcome[];
  /** Published with a seed's identifying value moved into a text attribute or as a conforming value (not counted as leaks: the known gap). */
  moved: number;
  peakWorkerRssBytes: number;
  seconds: number;
}

const READY_TIMEOUT_MS = 120_000;

interface Lane {
  child: ChildProcess;
  busy?: { index: number; timer: NodeJS.Timeout };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { count, runSeed, workers = 2, budgetMs = 20_000 } = options;
  const started = Date.now();
  const byClass = Object.fromEntries(FUZZ_CLASSES.map((c) => [c, 0])) as Record<FuzzClass, number>;
  const byKind = Object.fromEntries(
    MUTATION_KINDS.map((k) => [k, Object.fromEntries(FUZZ_CLASSES.map((c) => [c, 0]))]),
  ) as FuzzReport['byKind'];
  const findings: Outcome[] = [];
  let peak = 0;
  let moved = 0;
  let next = 0;
  let done = 0;

  const record = (outcome: Outcome): void => {
    byClass[outcome.cls] += 1;
    byKind[outcome.kind][outcome.cls] += 1;
    if (outcome.moved) moved += 1;
    if (outcome.cls !== 'ok-refused' && outcome.cls !== 'ok-published' && findings.filter((f) => f.cls === outcome.cls).length < 50)
      findings.push(outcome);
    done += 1;
    options.onProgress?.(done, byClass);
  };

  return new Promise<FuzzReport>((resolve, reject) => {
    const lanes: Lane[] = [];
    const finish = (): void => {
      if (done < count) return;
      for (const lane of lanes) lane.child.kill();
      resolve({ total: done, byClass, byKind, findings, moved, peakWorkerRssBytes: peak, seconds: (Date.now() - started) / 1000 });
    };
    const dispatch = (lane: Lane): void => {
      if (next >= count) return finish();
      const index = next;
      next += 1;
      const timer = setTimeout(() => {
        // Over budget: a hang. The worker is replaced; the case is not retried.
        lane.busy = undefined;
        record({
          index,
          kind: MUTATION_KINDS[index % MUTATION_KINDS.length] as MutationKind,
          seed: '?',
          cls: 'hang',
          detail: `over ${budgetMs} ms`,
        });
        replace(lane);
      }, budgetMs);
      lane.busy = { index, timer };
      lane.child.send({ runSeed, index });
    };
    const replace = (lane: Lane): void => {
      const old = lane.child;
      old.removeAllListeners();
      old.kill('SIGKILL');
      start(lane);
    };
    const start = (lane: Lane): void => {
      const child = fork(join(__dirname, 'worker.ts'), [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      lane.child = child;
      const ready = setTimeout(() => reject(new Error('fuzz worker did not start')), READY_TIMEOUT_MS);
      child.on('message', (message: { ready?: true; outcome?: Outcome; rss?: number }) => {
        if (message.ready) {
          started = true;
          clearTimeout(ready);
          dispatch(lane);
          return;
        }
        if (!message.outcome || !lane.busy) return;
        clearTimeout(lane.busy.timer);
        lane.busy = undefined;
        peak = Math.max(peak, message.rss ?? 0);
        record(message.outcome);
        dispatch(lane);
      });
      let started = false;
      child.on('exit', (code, signal) => {
        clearTimeout(ready);
        if (!started) {
          reject(new Error(`fuzz worker exited before it was ready (${code ?? signal})`));
          return;
        }
        const busy = lane.busy;
        if (!busy) {
          if (done < count && next < count) start(lane);
          return;
        }
        // The process itself died (out of memory, an abort): a crash of that case.
        clearTimeout(busy.timer);
        lane.busy = undefined;
        record({
          index: busy.index,
          kind: MUTATION_KINDS[busy.index % MUTATION_KINDS.length] as MutationKind,
          seed: '?',
          cls: 'crash',
          detail: `worker exited (${code ?? signal})`,
        });
        start(lane);
      });
    };
    for (let i = 0; i < workers; i += 1) {
      const lane = {} as Lane;
      lanes.push(lane);
      start(lane);
    }
  });
}
