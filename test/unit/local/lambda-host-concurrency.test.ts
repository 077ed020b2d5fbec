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
function controlledHost(f: LocalFunction, meter: UsageMeter) {
  const finish: Array<() => void> = [];
  let running = 0;
  let most = 0;
  const host = new LambdaHost({
    functions: new Map([[f.id, f]]),
    meter,
    load: () => async () => {
      most = Math.max(most, ++running);
      await new Promise<void>((resolve) => finish.push(resolve));
      running--;
      return { ok: true };
    },
  });
  return { host, finish, most: () => most };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe("the local Lambda host keeps a function's reserved concurrency", () => {
  it('runs at most the reserve at once; the others wait, and the wait is not billed', async () => {
    const meter = new UsageMeter();
    const { host, finish, most } = controlledHost(fn(2), meter);
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
    // Each ran about one 30 ms settle; the later ones also waited 60 ms or more, which is not counted.
    expect(usage.seconds).toBeLessThan(5 * 0.055);
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
