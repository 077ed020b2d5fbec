/**
 * How long a presigned download URL lives: short by default, longer for large
 * objects so a slow link can finish one GET, capped. Each URL names one object.
 */
export interface UrlLifetimePolicy {
  /** Base lifetime (default 900 s = 15 minutes). */
  readonly baseSeconds: number;
  /** Added per started 100 MB of the object (default 60 s). */
  readonly perHundredMbSeconds: number;
  /** Upper bound (default 3600 s); a URL signed by a Lambda role cannot outlive its session anyway. */
  readonly maxSeconds: number;
}

export const DEFAULT_URL_POLICY: UrlLifetimePolicy = { baseSeconds: 900, perHundredMbSeconds: 60, maxSeconds: 3600 };

export function urlLifetimeSeconds(sizeBytes: number, policy: UrlLifetimePolicy = DEFAULT_URL_POLICY): number {
  const hundreds = Math.ceil(Math.max(sizeBytes, 0) / 100_000_000);
  return Math.min(policy.maxSeconds, Math.max(1, Math.round(policy.baseSeconds + hundreds * policy.perHundredMbSeconds)));
}
