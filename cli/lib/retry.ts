/** Retries a call with exponential backoff and jitter while `retryable` says so. */
export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  options: { attempts?: number; baseDelayMs?: number; retryable?: (error: unknown) => boolean } = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 250;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt >= attempts || !(options.retryable?.(error) ?? true)) throw error;
      const delay = base * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** An HTTP failure of a presigned URL: 403 usually means the URL expired; status 0: no answer (the connection failed). */
export class TransferError extends Error {
  override readonly name = 'TransferError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function isRetryableTransfer(error: unknown): boolean {
  if (error instanceof TransferError) return error.status === 0 || error.status >= 500 || error.status === 429;
  // fetch rejects with a TypeError on connection failures; those are worth another try.
  return error instanceof TypeError;
}
