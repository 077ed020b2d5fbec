import type { PrepareOptions, PreparedFile } from './prepare';

/**
 * The messages between the upload page and its de-identification Web Worker. Bytes travel as
 * transferred ArrayBuffers (moved, not copied). Each request carries an id its reply repeats, so
 * one worker can hold several files in flight and each answer finds its caller.
 */
export interface PrepareRequest {
  readonly kind: 'prepare';
  readonly id: number;
  readonly bytes: ArrayBuffer;
  readonly options: PrepareOptions;
}

export type PrepareReply =
  | ({ readonly kind: 'prepared'; readonly id: number; readonly bytes: ArrayBuffer } & Omit<PreparedFile, 'bytes'>)
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

export function isPrepareReply(data: unknown): data is PrepareReply {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  if (typeof d.id !== 'number') return false;
  if (d.kind === 'failed') return typeof d.message === 'string';
  return (
    d.kind === 'prepared' &&
    d.bytes instanceof ArrayBuffer &&
    typeof d.outcome === 'string' &&
    Array.isArray(d.findings) &&
    (d.verification === undefined || isVerification(d.verification))
  );
}

/** A verifier's verdict as the worker sends it: passed, and the failing checks' names. */
function isVerification(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.passed === 'boolean' && Array.isArray(v.failedChecks) && v.failedChecks.every((c) => typeof c === 'string');
}

/** What the page needs of a Worker (a fake in tests). */
export interface WorkerLike {
  postMessage(message: PrepareRequest, transfer: ArrayBuffer[]): void;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  terminate?(): void;
}

export class PrepareError extends Error {
  override readonly name = 'PrepareError';
}

/**
 * Sends files to the worker and resolves each with its own reply. A reply the page cannot read,
 * or the worker dying, fails every file still waiting (never leaves one hanging).
 */
export class Preparer {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (r: PreparedFile) => void; reject: (e: Error) => void }>();

  constructor(private readonly worker: WorkerLike) {
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = () => this.failAll('the de-identification worker stopped');
  }

  prepare(bytes: ArrayBuffer, options: PrepareOptions): Promise<PreparedFile> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'prepare', id, bytes, options }, [bytes]);
    });
  }

  /** Stops the worker; files still waiting fail. */
  close(): void {
    this.worker.terminate?.();
    this.failAll('the de-identification worker was stopped');
  }

  get inFlight(): number {
    return this.pending.size;
  }

  private receive(data: unknown): void {
    if (!isPrepareReply(data)) return this.failAll('the de-identification worker answered something unreadable');
    const waiting = this.pending.get(data.id);
    if (!waiting) return;
    this.pending.delete(data.id);
    if (data.kind === 'failed') return waiting.reject(new PrepareError(data.message));
    const { kind: _kind, id: _id, bytes, ...rest } = data;
    waiting.resolve({ ...rest, bytes: new Uint8Array(bytes) });
  }

  private failAll(message: string): void {
    for (const waiting of this.pending.values()) waiting.reject(new PrepareError(message));
    this.pending.clear();
  }
}
