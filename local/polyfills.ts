/**
 * aws-local-stepfunctions 3 calls `Promise.withResolvers` (Node 22+). Without it on
 * Node 20 every Task state throws a TypeError that CDK's `Catch States.ALL` silently
 * routes to the failure path. Apply to the Promise of the realm the runner runs in:
 * under jest that is the test's vm context, which has its own `Promise`, so the test
 * file must import this module (importing local/workflow-runner does).
 */
export function installPromiseWithResolvers(P: PromiseConstructor = Promise): void {
  const target = P as PromiseConstructor & { withResolvers?: unknown };
  if (typeof target.withResolvers === 'function') return;
  Object.defineProperty(target, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => { resolve = res; reject = rej; });
      return { promise, resolve, reject };
    },
  });
}

installPromiseWithResolvers();
