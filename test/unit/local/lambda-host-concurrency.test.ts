import { LambdaHost } from '../../../local/lambda-host';
import type { LocalFunction } from '../../../local/template/local-model';
import { UsageMeter } from '../../../local/usage-meter';

const fn = (reservedConcurrency?: number): LocalFunction => ({
  id: 'IngestObject',
  logicalId: 'IngestObjectFn',
  entry: 'functions/ingest/ingest-object.ts',
  name: 'hilum-IngestObject',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:hilum-IngestObject',
  environment: {},
  timeoutSeconds: 60,
  memoryMb: 2048,
  ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
});

/** A host whose handler runs until the test lets each invocation finish, and says how many run at once. */
function controlledHost(f: LocalFunction, meter: UsageMeter, objectBytesInFlight?: number) {
  const finish: Array<() => void> = [];
  let running = 0;
  let most = 0;
  let ranMs = 0;
  const host = new LambdaHost({
    functions: new Map([[f.id, f]]),
    meter,
    ...(objectBytesInFlight === undefined ? {} : { objectBytesInFlight }),
    load: () => async () => {
      most = Math.max(most, ++running);
      const started = Date.now();
      await new Promise<void>((resolve) => finish.push(resolve));
      ranMs += Date.now() - started;
      running--;
      return { ok: true };
    },
  });
  return { host, finish, most: () => most, ranMs: () => ranMs };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe("the local Lambda host keeps a function's reserved concurrency", () => {
  it('runs at most the reserve at once; the others wait, and the wait is not billed', async () => {
    const meter = new UsageMeter();
    const { host, finish, most, ranMs } = controlledHost(fn(2), meter);
    const calls = [1, 2, 3, 4, 5].map(() => host.invoke('IngestObject', {}));
    await settle();
    expect(finish).toHaveLength(2);
    await settle(); // the waiting ones have now waited 60 ms
    for (let i = 0; i < 5; i++) {
      while (finish.length <= i) await settle();
      finish[i]!();
    }
    await Promise.all(calls);
    expect(most()).toBe(2);
    const usage = meter.snapshot().lambda.IngestObject!;
    expect(usage.invocations).toBe(5);
    // Billed: the handlers' own running time (and a millisecond or two of the host's each), not the 30 ms and
    // more that each of the last three waited for a place, whatever the machine's load.
    expect(usage.seconds * 1000).toBeLessThanOrEqual(ranMs() + 5 * 3);
  });

  it('runs every invocation at once for a function without a reserve', async () => {
    const { host, finish, most } = controlledHost(fn(), new UsageMeter());
    const calls = [1, 2, 3, 4, 5].map(() => host.invoke('IngestObject', {}));
    await settle();
    expect(most()).toBe(5);
    finish.forEach((release) => release());
    await Promise.all(calls);
  });
});

/** An ingest batch's event: its records' bodies are Object Created events of objects of these sizes. */
const batchOf = (...sizes: number[]) => ({
  records: sizes.map((size, i) => ({
    messageId: `m${i}`,
    body: JSON.stringify({ detail: { bucket: { name: 'b' }, object: { key: `k${i}`, size } } }),
  })),
});

describe('the local Lambda host keeps the intake bytes its invocations hold under a budget', () => {
  it("runs batches while their objects' bytes fit, the rest in order as earlier ones end; the wait is not billed", async () => {
    const meter = new UsageMeter();
    const { host, finish, most, ranMs } = controlledHost(fn(50), meter, 250);
    const calls = [batchOf(60, 40), batchOf(100), batchOf(100), batchOf(10)].map((event) => host.invoke('IngestObject', event));
    await settle();
    expect(finish).toHaveLength(2); // 100 + 100; the third would make 300, and the fourth does not overtake it
    await settle();
    finish[0]!();
    await settle();
    expect(finish).toHaveLength(4); // 100 + 100 + 10
    for (const release of finish.slice(1)) release();
    await Promise.all(calls);
    expect(most()).toBe(3);
    const usage = meter.snapshot().lambda.IngestObject!;
    expect(usage.invocations).toBe(4);
    expect(usage.seconds * 1000).toBeLessThanOrEqual(ranMs() + 4 * 3);
  });

  it('gates no event that names no sizes', async () => {
    const { host, finish, most } = controlledHost(fn(), new UsageMeter(), 1);
    const calls = [1, 2, 3].map(() => host.invoke('IngestObject', { bucket: 'b', key: 'k' }));
    await settle();
    expect(most()).toBe(3);
    finish.forEach((release) => release());
    await Promise.all(calls);
  });

  it('gives the bytes back when an invocation fails', async () => {
    const f = fn();
    const host = new LambdaHost({
      functions: new Map([[f.id, f]]),
      objectBytesInFlight: 100,
      load: () => async (event: unknown) => {
        if ((event as { fail?: boolean }).fail) throw new Error('boom');
        return { ok: true };
      },
    });
    await expect(host.invoke('IngestObject', { ...batchOf(90), fail: true })).rejects.toThrow();
    // Were the failed batch's 90 bytes still held, neither batch of 50 could ever run.
    const results = await Promise.all([host.invoke('IngestObject', batchOf(50)), host.invoke('IngestObject', batchOf(50))]);
    expect(results.map((r) => r.payload)).toEqual([{ ok: true }, { ok: true }]);
  });
});
