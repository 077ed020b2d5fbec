import { busEvent, type BusEvent } from '../../../local/event-bus';
import { FaultInjector, FaultOptionsError, parseFaultOptions, seededRandom, subjectOf, type TaskInvocation } from '../../../local/faults';
import { rng } from '../../support/random';

const SUB = '11111111-2222-4333-8444-555555555555';
const FILE = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const created = (key: string): BusEvent =>
  busEvent({ source: 'aws.s3', detailType: 'Object Created', detail: { bucket: { name: 'hilum-intake' }, object: { key } } });
const task = (state: string, workflow = 'ingest'): TaskInvocation => ({
  workflow,
  state,
  functionName: 'hilum-Parse',
  payload: { bucket: 'b', key: `intake/${SUB}/${FILE}` },
});

describe('HILUM_FAULTS', () => {
  it('is off when absent or empty', () => {
    expect(parseFaultOptions(undefined)).toBeUndefined();
    expect(parseFaultOptions('  ')).toBeUndefined();
  });

  it('reads the seed, the rates, the longest delay and the workflows', () => {
    expect(parseFaultOptions('seed=7, tasks=0.1,duplicates=0.2,delays=0.2,maxDelayMs=500,workflows=ingest+submission')).toEqual({
      seed: 7,
      taskFailureRate: 0.1,
      duplicateEventRate: 0.2,
      delayEventRate: 0.2,
      maxDelayMs: 500,
      workflows: ['ingest', 'submission'],
    });
  });

  it.each([
    ['tasks=0.1', /seed is required/],
    ['seed=7,task=0.1', /cannot read "task=0.1"/],
    ['seed=7,tasks=1.5', /between 0 and 1/],
    ['seed=7,tasks=ten', /must be a number/],
    ['seed=1.5', /integer/],
  ])('refuses %s, so a typo never runs without the faults it asked for', (text, message) => {
    expect(() => parseFaultOptions(text)).toThrow(FaultOptionsError);
    expect(() => parseFaultOptions(text)).toThrow(message);
  });
});

describe('the fault injector', () => {
  it("draws the same sequence as the tests' seeded generator (mulberry32)", () => {
    const a = seededRandom(42);
    const b = rng(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it('names the file of a task or an event by its ids, never by content', () => {
    expect(subjectOf({ bucket: 'b', key: `intake/${SUB}/${FILE}` })).toBe(`${SUB}/${FILE}`);
    expect(subjectOf({ originalKey: `intake/${SUB}/${FILE}`, workKey: 'w' })).toBe(`${SUB}/${FILE}`);
    expect(subjectOf(created(`intake/${SUB}/${FILE}`))).toBe(`${SUB}/${FILE}`);
    expect(subjectOf(created(`work/${SUB}/${FILE}.dcm`))).toBe(`${SUB}/${FILE}`);
    expect(subjectOf({ submissionId: SUB })).toBe(SUB);
    expect(subjectOf({ something: 'else' })).toBe('-');
  });

  it("names every file of a batch task's SQS records, and none of an unreadable record", () => {
    const record = (body: string) => ({ messageId: 'm', body });
    const other = 'f0000000-0000-4000-8000-000000000002';
    const batch = {
      records: [
        record(JSON.stringify(created(`intake/${SUB}/${FILE}`))),
        record('not json'),
        record(JSON.stringify(created(`intake/${SUB}/${other}`))),
        record(JSON.stringify(created(`intake/${SUB}/${FILE}`))),
      ],
    };
    expect(subjectOf(batch)).toBe(`${SUB}/${FILE},${SUB}/${other}`);
    expect(subjectOf({ records: [record('{}')] })).toBe('-');
  });

  it('fails about the configured fraction of task invocations, with every kind, and is repeatable from its seed', async () => {
    const run = async (seed: number) => {
      const lines: string[] = [];
      const injector = new FaultInjector({ seed, taskFailureRate: 0.1 }, (l) => lines.push(l));
      const invoke = injector.wrapTask(async () => 'ok');
      const outcomes: string[] = [];
      for (let i = 0; i < 2000; i += 1)
        outcomes.push(
          await invoke(task('Parse')).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        );
      return { outcomes, lines, injected: injector.injected() };
    };
    const first = await run(7);
    const failed = first.outcomes.filter((o) => o !== 'ok').length;
    expect(failed).toBeGreaterThan(140);
    expect(failed).toBeLessThan(260);
    expect(Object.keys(first.injected).sort()).toEqual(['InjectedFault', 'Lambda.ServiceException', 'Sandbox.Timedout', 'States.Timeout']);
    expect(first.lines).toHaveLength(failed);
    expect(first.lines[0]).toMatch(new RegExp(`^fault injected: \\S+ ingest/Parse ${SUB}/${FILE}$`));
    expect((await run(7)).outcomes).toEqual(first.outcomes);
    expect((await run(8)).outcomes).not.toEqual(first.outcomes);
  });

  it('lets a timed-out task do its work (Sandbox.Timedout after it, States.Timeout while it goes on) and throws before the work otherwise', async () => {
    const injector = new FaultInjector({ seed: 3, taskFailureRate: 1 }, () => undefined);
    const done: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const invoke = injector.wrapTask(async (inv) => {
      await gate;
      done.push(inv.state);
      return 'ok';
    });
    const seen = new Map<string, string[]>();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i += 1) {
      const state = `S${i}`;
      pending.push(invoke(task(state)).catch((e: Error) => seen.set(e.name, [...(seen.get(e.name) ?? []), state])));
    }
    // Everything but Sandbox.Timedout answers before the (gated) work finishes.
    await new Promise((r) => setImmediate(r));
    expect([...seen.keys()].sort()).toEqual(['InjectedFault', 'Lambda.ServiceException', 'States.Timeout']);
    expect(done).toEqual([]);
    release();
    await Promise.all(pending);
    await new Promise((r) => setImmediate(r));
    for (const state of [...seen.get('Sandbox.Timedout')!, ...seen.get('States.Timeout')!]) expect(done).toContain(state);
    for (const state of [...seen.get('Lambda.ServiceException')!, ...seen.get('InjectedFault')!]) expect(done).not.toContain(state);
  });

  it('leaves the tasks of workflows it was not asked to fail alone', async () => {
    const injector = new FaultInjector({ seed: 1, taskFailureRate: 1, workflows: ['ingest'] }, () => undefined);
    const invoke = injector.wrapTask(async () => 'ok');
    await expect(invoke(task('PublishSubmission', 'submission'))).resolves.toBe('ok');
    await expect(invoke(task('Parse'))).rejects.toThrow(/injected/);
  });

  it('duplicates and delays S3 "Object Created" events at about the configured rates, out of order, and nothing else', async () => {
    jest.useFakeTimers();
    try {
      const injector = new FaultInjector({ seed: 11, duplicateEventRate: 0.2, delayEventRate: 0.2, maxDelayMs: 1000 }, () => undefined);
      const delivered: string[] = [];
      const keys = Array.from({ length: 1000 }, (_, i) => `intake/${SUB}/${String(i).padStart(12, '0')}`);
      for (const key of keys) injector.deliver(created(key), (e) => delivered.push((e.detail as { object: { key: string } }).object.key));
      const deleted = busEvent({ source: 'aws.s3', detailType: 'Object Deleted', detail: { object: { key: 'x' } } });
      const other: BusEvent[] = [];
      for (let i = 0; i < 100; i += 1) injector.deliver(deleted, (e) => other.push(e));
      expect(other).toHaveLength(100);
      const onTime = delivered.length;
      jest.advanceTimersByTime(1000);
      const duplicates = injector.injected().duplicate ?? 0;
      const late = injector.injected().delay ?? 0;
      expect(duplicates).toBeGreaterThan(150);
      expect(duplicates).toBeLessThan(250);
      expect(late).toBeGreaterThan(170);
      expect(late).toBeLessThan(290);
      expect(delivered).toHaveLength(keys.length + duplicates);
      expect(onTime).toBe(keys.length + duplicates - late);
      expect(new Set(delivered)).toEqual(new Set(keys));
      expect(delivered).not.toEqual([...delivered].sort());
    } finally {
      jest.useRealTimers();
    }
  });

  it('loses the late events still waiting when the commons stops, and stops tracking them', () => {
    jest.useFakeTimers();
    try {
      let active = 0;
      const tracker = {
        begin: () => {
          active += 1;
          return () => {
            active -= 1;
          };
        },
      };
      const injector = new FaultInjector({ seed: 5, delayEventRate: 1 }, () => undefined, tracker as never);
      const delivered: BusEvent[] = [];
      injector.deliver(created(`intake/${SUB}/${FILE}`), (e) => delivered.push(e));
      expect(active).toBe(1);
      injector.stop();
      jest.advanceTimersByTime(10_000);
      expect(delivered).toEqual([]);
      expect(active).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
