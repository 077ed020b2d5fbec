/**
 * Retries and progress of the browser's transfers: pure decisions, so the page's loop only
 * does I/O.
 */

export const MAX_ATTEMPTS = 4;

/**
 * Whether a failed PUT is worth another try: the network (status 0), throttling (429) and the
 * store's own errors (5xx) are; a 403 is an expired or wrong URL, renewed rather than retried;
 * other 4xx will not change.
 */
export function retryable(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/** Milliseconds before attempt `attempt` (1 = the first retry): 0.5 s, 1 s, 2 s, ... capped at 8 s. */
export function retryDelay(attempt: number): number {
  return Math.min(8000, 500 * 2 ** Math.max(0, attempt - 1));
}

/** Total and per-file progress in bytes. A file counts its bytes sent so far; a retry starts it over. */
export class TransferProgress {
  private readonly sent = new Map<string, number>();
  private readonly sizes = new Map<string, number>();
  private readonly finished = new Set<string>();

  constructor(files: readonly { key: string; size: number }[]) {
    for (const f of files) this.sizes.set(f.key, f.size);
  }

  /** `bytes` of the file's `size` sent (from an upload progress event), never more than its size. */
  update(key: string, bytes: number): void {
    const size = this.sizes.get(key) ?? 0;
    this.sent.set(key, Math.max(0, Math.min(size, bytes)));
  }

  /** The announced size can differ from the file's (a de-identified copy): the sizes follow what is sent. */
  resize(key: string, size: number): void {
    this.sizes.set(key, size);
    this.update(key, this.sent.get(key) ?? 0);
  }

  finish(key: string): void {
    this.finished.add(key);
    this.sent.set(key, this.sizes.get(key) ?? 0);
  }

  restart(key: string): void {
    this.finished.delete(key);
    this.sent.set(key, 0);
  }

  of(key: string): { sent: number; size: number; fraction: number } {
    const size = this.sizes.get(key) ?? 0;
    const sent = this.sent.get(key) ?? 0;
    return { sent, size, fraction: size === 0 ? (this.finished.has(key) ? 1 : 0) : sent / size };
  }

  total(): { sent: number; size: number; files: number; filesDone: number; fraction: number } {
    let sent = 0;
    let size = 0;
    for (const [key, s] of this.sizes) {
      size += s;
      sent += this.sent.get(key) ?? 0;
    }
    const files = this.sizes.size;
    const fraction = size === 0 ? (files > 0 && this.finished.size === files ? 1 : 0) : sent / size;
    return { sent, size, files, filesDone: this.finished.size, fraction };
  }
}
