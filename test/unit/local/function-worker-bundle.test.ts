import { once } from 'node:events';
import * as fs from 'node:fs';
import { FUNCTIONS } from '../../../functions/registry';
import {
  FUNCTION_WORKER_ENTRY,
  functionWorkerEntry,
  startFunctionWorker,
  type FromWorker,
  type FunctionWorkerData,
} from '../../../local/function-workers';
import type { LocalFunction } from '../../../local/template/local-model';

jest.setTimeout(60_000);

const publicApi: LocalFunction = {
  id: 'PublicApi',
  logicalId: 'PublicApi',
  entry: FUNCTIONS.publicApi.entry,
  name: 'hilum-PublicApi',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:hilum-PublicApi',
  environment: {},
  timeoutSeconds: 10,
  memoryMb: 256,
};

describe('where the function worker threads start', () => {
  const saved = process.env.HILUM_FUNCTION_BUNDLE;
  afterEach(() => {
    if (saved === undefined) delete process.env.HILUM_FUNCTION_BUNDLE;
    else process.env.HILUM_FUNCTION_BUNDLE = saved;
  });

  it('starts from the esbuild bundle of every registry handler, and a thread runs a handler from it without tsx', async () => {
    delete process.env.HILUM_FUNCTION_BUNDLE;
    const entry = await functionWorkerEntry(Object.values(FUNCTIONS));
    expect(entry.bundled).toBe(true);
    expect(entry.file).not.toBe(FUNCTION_WORKER_ENTRY);
    expect(fs.existsSync(entry.file)).toBe(true);

    const data: FunctionWorkerData = { functions: [publicApi], repoRoot: process.cwd() };
    const worker = startFunctionWorker(data, entry) as unknown as import('node:worker_threads').Worker;
    const messages: FromWorker[] = [];
    const answered = (type: FromWorker['type']) =>
      new Promise<void>((resolve) =>
        worker.on('message', (message: FromWorker) => {
          messages.push(message);
          if (message.type === type) resolve();
        }),
      );
    try {
      const [ready] = (await once(worker, 'message')) as [FromWorker];
      expect(ready).toEqual({ type: 'ready', bundled: true });
      const result = answered('result');
      worker.postMessage({
        type: 'invoke',
        id: 1,
        functionId: 'PublicApi',
        requestId: 'r-1',
        deadline: Date.now() + 10_000,
        event: JSON.stringify({ resource: '/health', path: '/health', httpMethod: 'GET', headers: {}, requestContext: {} }),
      });
      await result;
      const reply = messages.find((m) => m.type === 'result');
      expect(reply).toMatchObject({ type: 'result', id: 1, ok: true });
      expect(JSON.parse((reply as { payload: string }).payload)).toMatchObject({ statusCode: 200 });

      // The thread reports its own CPU time (the bench's function threads' CPU per instance).
      const cpu = answered('cpu');
      worker.postMessage({ type: 'cpu', id: 2 });
      await cpu;
      expect(messages.find((m) => m.type === 'cpu')).toMatchObject({ id: 2, usage: { user: expect.any(Number) } });
      expect((messages.find((m) => m.type === 'cpu') as { usage: NodeJS.CpuUsage }).usage.user).toBeGreaterThan(0);
    } finally {
      await worker.terminate();
    }
  });

  it('falls back to tsx for a handler outside the registry shape, and when HILUM_FUNCTION_BUNDLE=0', async () => {
    delete process.env.HILUM_FUNCTION_BUNDLE;
    expect(await functionWorkerEntry([publicApi, { entry: 'test/support/handlers/echo.ts' }])).toEqual({
      file: FUNCTION_WORKER_ENTRY,
      bundled: false,
    });
    process.env.HILUM_FUNCTION_BUNDLE = '0';
    expect(await functionWorkerEntry([publicApi])).toEqual({ file: FUNCTION_WORKER_ENTRY, bundled: false });
  });
});
