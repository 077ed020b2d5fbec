import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, FunctionWorkerData, InvokeMessage, ToWorker } from './function-workers';
import { withFunctionVariables } from './environment';
import {
  errorMessage,
  errorName,
  importHandler,
  jsonText,
  lambdaContext,
  LambdaInvocationError,
  type Handler,
  type HandlerLoader,
} from './lambda-invocation';

/**
 * A function worker thread of the local commons (local/function-workers.ts): imports each handler
 * module on its first invocation, as a Lambda container does at init, and runs invocations as they
 * come, several at once. The commons' thread keeps what is the platform's: the timeout, the usage
 * meter, the log of failures.
 */

const port = parentPort;
if (!port) throw new Error('local/function-worker-main.ts runs in a worker thread (local/function-workers.ts)');
const data = workerData as FunctionWorkerData;
const functions = new Map(data.functions.map((fn) => [fn.id, fn] as const));
const handlers = new Map<string, Handler>();

/** Running from the esbuild bundle (function-workers.ts, functionWorkerEntry) rather than TypeScript under tsx. */
const BUNDLED = !__filename.endsWith('.ts');

/**
 * A handler module of the bundle. The template literal is what lets esbuild bundle every
 * `functions/<group>/<name>.ts` (a glob import: `.ts` files only), each initialised on its first
 * require, as tsx would load it; the pool starts the bundle only when every entry has that shape
 * (HANDLER_ENTRY). Its variables are set as for any import (withFunctionVariables).
 */
const fromBundle: HandlerLoader = (fn) => {
  const [, group, file] = fn.entry.split('/');
  const name = file!.slice(0, -'.ts'.length);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return withFunctionVariables(fn, () => (require(`../functions/${group}/${name}.ts`) as { handler?: unknown }).handler as Handler);
};

function post(message: FromWorker): void {
  port!.postMessage(message);
}

async function invoke(message: InvokeMessage): Promise<void> {
  const { id } = message;
  try {
    const fn = functions.get(message.functionId);
    if (!fn) throw new LambdaInvocationError('Lambda.ResourceNotFoundException', `Function not found: ${message.functionId}`);
    let handler = handlers.get(fn.id);
    if (!handler) {
      handler = importHandler(fn, path.resolve(data.repoRoot, fn.entry), BUNDLED ? fromBundle : undefined);
      handlers.set(fn.id, handler);
    }
    const result = await handler(JSON.parse(message.event), lambdaContext(fn, message.requestId, message.deadline));
    post({ type: 'result', id, ok: true, payload: jsonText(result) });
  } catch (error) {
    const platform = error instanceof LambdaInvocationError;
    post({ type: 'result', id, ok: false, name: errorName(error), message: errorMessage(error), platform });
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'cpu') post({ type: 'cpu', id: message.id, usage: process.threadCpuUsage() });
  else void invoke(message);
});
post({ type: 'ready', bundled: BUNDLED });
