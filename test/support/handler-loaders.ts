import type { BusEvent } from '../../local/event-bus';
import { requireHandler, type Handler, type HandlerLoader } from '../../local/lambda-invocation';

/**
 * The local commons' own loader (startLocalCommons `loadHandler`, in-process handlers only), with the handler of
 * the function `functionId` wrapped: a fault injected on demand, its invocations counted.
 */
export function loaderWrapping(functionId: string, wrap: (handler: Handler) => Handler): HandlerLoader {
  return (fn, absolutePath) => {
    const handler = requireHandler(fn, absolutePath);
    return fn.id === functionId ? wrap(handler) : handler;
  };
}

/**
 * Holds intake objects' S3 "Object Created" events off the local bus while a test collects them (startLocalCommons
 * `dropEvent`), so that they can be put back together and the queue's pipe forms its batches at once, however the
 * test's PUTs are spread.
 */
export function intakeEventHold() {
  let holding: ((event: BusEvent) => void) | undefined;
  return {
    dropEvent: (event: BusEvent): boolean => {
      if (!holding || event.source !== 'aws.s3' || event['detail-type'] !== 'Object Created') return false;
      holding(event);
      return true;
    },
    /**
     * Holds the next `count` intake events: `events` resolves with them, or rejects when they have not all come
     * within `timeoutMs`; `stop` lets later events through again (call it whatever happened, so that a failed
     * upload holds back no later test's events).
     */
    collect(count: number, timeoutMs = 10_000): { readonly events: Promise<BusEvent[]>; stop(): void } {
      const held: BusEvent[] = [];
      let late: NodeJS.Timeout | undefined;
      const events = new Promise<BusEvent[]>((resolve, reject) => {
        late = setTimeout(() => reject(new Error(`${held.length} of ${count} uploads' S3 events came`)), timeoutMs);
        holding = (event) => {
          if (held.push(event) === count) resolve(held);
        };
      });
      return {
        events,
        stop: () => {
          clearTimeout(late);
          holding = undefined;
        },
      };
    },
  };
}
