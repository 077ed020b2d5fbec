import { EventEmitter } from 'node:events';
import {
  FunctionWorkerPool,
  leastBusy,
  type CpuUsageRequest,
  type FromWorker,
  type InvokeMessage,
  type ToWorker,
  type WorkerThread,
} from '../../../local/function-workers';
import { LambdaHost } from '../../../local/lambda-host';
import type { LocalFunction } from '../../../local/template/local-model';
import { UsageMeter } from '../../../local/usage-meter';

/** A worker thread stand-in: records what it is sent; the test answers, crashes or readies it. */
class FakeWorker extends EventEmitter implements WorkerThread {
  readonly sent: InvokeMessage[] = [];
  readonly askedCpu: CpuUsageRequest[] = [];
  terminated = false;

  postMessage(message: ToWorker): void {
    if (message.type === 'cpu') this.askedCpu.push(message);
    else this.sent.push(message);
  }

  reply(message: FromWorker): void {
    this.emit('message', message);
  }

  ready(): this {
    this.reply({ type: 'ready' });
    return this;
  }

  crash(code = 1): void {
    this.emit('error', Object.assign(new Error('a value that must not be logged'), { name: 'RangeError' }));
    this.emit('exit', code);
  }

  async terminate(): Promise<number> {
    this.terminated = true;
    return 1;
  }
}

function fakes(): { spawned: FakeWorker[]; spawn: () => FakeWorker } {
  const spawned: FakeWorker[] = [];
  return { spawned, spawn: () => (spawned.push(new FakeWorker()), spawned[spawned.length - 1]!) };
}

const request = (functionId = 'IngestObject') => ({ functionId, requestId: 'r', deadline: 0, event: '{}' });
const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: Error) => ({ error }),
  );

describe('leastBusy', () => {
  it('picks the lane with the fewest invocations in flight, the first of equals, skipping lanes that are down', () => {
    expect(
      leastBusy([
        { inFlight: 2, down: false },
        { inFlight: 1, down: false },
        { inFlight: 1, down: false },
      ]),
    ).toBe(1);
    expect(
      leastBusy([
        { inFlight: 0, down: true },
        { inFlight: 5, down: false },
      ]),
    ).toBe(1);
    expect(leastBusy([{ inFlight: 0, down: true }])).toBe(-1);
  });
});

describe('FunctionWorkerPool', () => {
  it('sends each invocation to the thread with the fewest in flight and settles each by its own answer', async () => {
    const { spawned, spawn } = fakes();
    const pool = new FunctionWorkerPool({ size: 2, spawn });
    const [a, b] = spawned.map((w) => w.ready());
    const first = pool.invoke(request());
    const second = pool.invoke(request());
    const third = pool.invoke(request());
    expect(pool.inFlight()).toEqual([2, 1]);
    expect(a!.sent.map((m) => m.id)).toEqual([1, 3]);
    expect(b!.sent.map((m) => m.id)).toEqual([2]);

    // Answers come back out of order.
    a!.reply({ type: 'result', id: 3, ok: true, payload: '"third"' });
    b!.reply({ type: 'result', id: 2, ok: false, name: 'InvalidTaskInput', message: 'bad', platform: false });
    a!.reply({ type: 'result', id: 1, ok: true, payload: '"first"' });
    await expect(third).resolves.toMatchObject({ ok: true, payload: '"third"' });
    await expect(second).resolves.toMatchObject({ ok: false, name: 'InvalidTaskInput' });
    await expect(first).resolves.toMatchObject({ ok: true, payload: '"first"' });
    expect(pool.inFlight()).toEqual([0, 0]);
    expect(pool.given()).toEqual([2, 1]);
    await pool.stop();
  });

  it("fails a dead thread's invocations as Runtime.ExitError, replaces it, and leaves the other thread's alone", async () => {
    const { spawned, spawn } = fakes();
    const logs: string[] = [];
    const pool = new FunctionWorkerPool({ size: 2, spawn, log: (m) => logs.push(m) });
    const [a, b] = spawned.map((w) => w.ready());
    const onA = settled(pool.invoke(request()));
    const onB = pool.invoke(request());
    a!.crash();

    const failure = await onA;
    expect(failure).toMatchObject({ error: { name: 'Runtime.ExitError' } });
    expect(JSON.parse((failure as { error: Error }).error.message)).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect(spawned).toHaveLength(3);
    expect(logs.join('\n')).toMatch(/function worker 0: uncaught RangeError/);
    expect(logs.join('\n')).toMatch(/function worker 0 exited \(code 1\) with 1 invocation\(s\) in flight: replaced/);
    expect(logs.join('\n')).not.toMatch(/must not be logged/);

    b!.reply({ type: 'result', id: 2, ok: true, payload: 'null' });
    await expect(onB).resolves.toMatchObject({ ok: true });
    // The replacement takes the next invocation (it has none in flight; the old thread is gone).
    const next = pool.invoke(request());
    expect(spawned[2]!.sent.map((m) => m.id)).toEqual([3]);
    spawned[2]!.reply({ type: 'result', id: 3, ok: true, payload: '1' });
    await expect(next).resolves.toMatchObject({ payload: '1' });
    await pool.stop();
  });

  it('does not restart a thread that dies before it is ready, and fails invocations when none is up', async () => {
    const { spawned, spawn } = fakes();
    const pool = new FunctionWorkerPool({ size: 1, spawn });
    spawned[0]!.crash();
    expect(spawned).toHaveLength(1);
    await expect(pool.invoke(request())).rejects.toMatchObject({ name: 'Runtime.ExitError' });
    await pool.stop();
  });

  it('sums the CPU time each running thread reports, and counts a thread that dies before answering as none', async () => {
    const { spawned, spawn } = fakes();
    const pool = new FunctionWorkerPool({ size: 3, spawn });
    spawned.forEach((w) => w.ready());
    const usage = pool.cpuUsage();
    const [a, b, c] = spawned;
    a!.reply({ type: 'cpu', id: a!.askedCpu[0]!.id, usage: { user: 3000, system: 500 } });
    b!.reply({ type: 'cpu', id: b!.askedCpu[0]!.id, usage: { user: 1000, system: 250 } });
    c!.crash();
    expect(await usage).toEqual({ user: 4000, system: 750 });
    await pool.stop();
  });

  it('terminates every thread at stop, failing what is in flight, and refuses invocations after', async () => {
    const { spawned, spawn } = fakes();
    const pool = new FunctionWorkerPool({ size: 2, spawn });
    spawned.forEach((w) => w.ready());
    const inFlight = settled(pool.invoke(request()));
    await pool.stop();
    expect(spawned.map((w) => w.terminated)).toEqual([true, true]);
    expect(await inFlight).toMatchObject({ error: { name: 'Runtime.ExitError' } });
    await expect(pool.invoke(request())).rejects.toMatchObject({ name: 'Runtime.ExitError' });
    // Their exits after terminate() start no new thread.
    spawned.forEach((w) => w.emit('exit', 1));
    expect(spawned).toHaveLength(2);
  });
});

describe('LambdaHost with worker threads', () => {
  const fn = (timeoutSeconds = 30): LocalFunction => ({
    id: 'IngestObject',
    logicalId: 'IngestObject',
    entry: 'functions/ingest/ingest-object.ts',
    name: 'hilum-IngestObject',
    arn: 'arn:aws:lambda:us-east-1:000000000000:function:hilum-IngestObject',
    environment: {},
    timeoutSeconds,
    memoryMb: 2048,
  });
  const hostWith = (f: LocalFunction, meter?: UsageMeter) => {
    const { spawned, spawn } = fakes();
    const logs: string[] = [];
    const host = new LambdaHost({
      functions: new Map([[f.id, f]]),
      functionWorkers: 1,
      spawnWorker: spawn,
      log: (m) => logs.push(m),
      ...(meter ? { meter } : {}),
    });
    spawned[0]!.ready();
    return { host, worker: spawned[0]!, logs };
  };
  const sentTo = async (worker: FakeWorker) => {
    while (worker.sent.length === 0) await new Promise((r) => setImmediate(r));
    return worker.sent[worker.sent.length - 1]!;
  };

  it("sends the event as JSON with the function's deadline and answers the thread's JSON, counted by the meter", async () => {
    const meter = new UsageMeter();
    const { host, worker } = hostWith(fn(30), meter);
    const before = Date.now();
    const invoked = host.invoke('arn:aws:lambda:us-east-1:000000000000:function:hilum-IngestObject:$LATEST', {
      at: new Date(0),
      skip: undefined,
    });
    const message = await sentTo(worker);
    expect(message).toMatchObject({ functionId: 'IngestObject', event: '{"at":"1970-01-01T00:00:00.000Z"}' });
    expect(message.deadline).toBeGreaterThanOrEqual(before + 30_000);
    worker.reply({ type: 'result', id: message.id, ok: true, payload: '{"outcome":"staged"}' });
    await expect(invoked).resolves.toMatchObject({ payload: { outcome: 'staged' } });
    expect(meter.snapshot().lambda.IngestObject).toMatchObject({ invocations: 1 });
    await host.stop();
  });

  it("rethrows a handler's error by its name with Lambda's cause, and logs the name only", async () => {
    const { host, worker, logs } = hostWith(fn());
    const invoked = host.invoke('IngestObject', {});
    const { id } = await sentTo(worker);
    worker.reply({ type: 'result', id, ok: false, name: 'InvalidTaskInput', message: 'key is required', platform: false });
    const error = (await invoked.catch((e: Error) => e)) as Error;
    expect(error.name).toBe('InvalidTaskInput');
    expect(JSON.parse(error.message)).toEqual({ errorType: 'InvalidTaskInput', errorMessage: 'key is required' });
    expect(logs).toEqual([expect.stringMatching(/^lambda IngestObject failed: InvalidTaskInput \(request /)]);
    await host.stop();
  });

  it('passes an import failure through as the platform error it is, not counted as an invocation', async () => {
    const meter = new UsageMeter();
    const { host, worker } = hostWith(fn(), meter);
    const invoked = host.invoke('IngestObject', {});
    const { id } = await sentTo(worker);
    worker.reply({
      type: 'result',
      id,
      ok: false,
      name: 'Runtime.ImportModuleError',
      message: 'cannot import x for y: SyntaxError',
      platform: true,
    });
    await expect(invoked).rejects.toMatchObject({ name: 'Runtime.ImportModuleError', message: 'cannot import x for y: SyntaxError' });
    expect(meter.snapshot().lambda.IngestObject).toBeUndefined();
    await host.stop();
  });

  it('times an invocation out as Sandbox.Timedout while its thread keeps it', async () => {
    const { host, worker } = hostWith(fn(0.05));
    const invoked = host.invoke('IngestObject', {});
    await expect(invoked).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    expect(worker.sent).toHaveLength(1);
    await host.stop();
  });

  it('refuses injected handlers with worker threads: they cannot cross into a thread', () => {
    const f = fn();
    expect(() => new LambdaHost({ functions: new Map([[f.id, f]]), functionWorkers: 2, load: () => () => null })).toThrow(
      /functionWorkers 0/,
    );
  });
});
