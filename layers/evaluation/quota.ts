/**
 * The guard against fitting the sequestered set: each evaluator may start a limited number of
 * evaluations per period on a project. The project's settings may set both
 * (`evaluationQuota`, `evaluationQuotaDays`); the default is 3 per 30 days.
 */
export const DEFAULT_EVALUATION_QUOTA = { evaluations: 3, days: 30 } as const;

export interface EvaluationQuota {
  readonly evaluations: number;
  readonly days: number;
}

function positiveInteger(value: string | number | boolean | undefined, fallback: number): number {
  const n = typeof value === 'boolean' || value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n >= 1 ? n : fallback;
}

export function evaluationQuotaOf(settings: Readonly<Record<string, string | number | boolean>> | undefined): EvaluationQuota {
  return {
    evaluations: positiveInteger(settings?.evaluationQuota, DEFAULT_EVALUATION_QUOTA.evaluations),
    days: positiveInteger(settings?.evaluationQuotaDays, DEFAULT_EVALUATION_QUOTA.days),
  };
}

/** The start of the period that counts at `now`: evaluations created at or after it count. */
export function quotaPeriodStart(now: Date, quota: EvaluationQuota): string {
  return new Date(now.getTime() - quota.days * 86_400_000).toISOString();
}

/**
 * One claim of the quota: an evaluator holds `evaluations` slots per project, and creating an
 * evaluation claims a slot whose last claim is older than the period (or that was never
 * claimed), with a conditional write. A slot is thus claimed at most once per period, so no
 * window of `days` days holds more than `evaluations` evaluations, however many requests race:
 * the sliding window of the count, made atomic.
 */
export interface QuotaSlotClaim {
  readonly slot: number;
  /** When it was last claimed (ISO time). */
  readonly claimedAt: string;
}

/**
 * The slot to claim at `now`: the lowest one never claimed or whose claim has left the period
 * (claimed before `quotaPeriodStart`); undefined when every slot was claimed within the period.
 * Slots beyond the quota (a quota lowered since) are not offered.
 */
export function freeQuotaSlot(claims: readonly QuotaSlotClaim[], quota: EvaluationQuota, now: Date): number | undefined {
  const periodStart = quotaPeriodStart(now, quota);
  const held = new Set(claims.filter((c) => c.claimedAt >= periodStart).map((c) => c.slot));
  for (let slot = 0; slot < quota.evaluations; slot += 1) if (!held.has(slot)) return slot;
  return undefined;
}

/** Null when one more evaluation is allowed; else the value-free reason it is refused. */
export function quotaRefusal(countedInPeriod: number, quota: EvaluationQuota): string | null {
  return countedInPeriod < quota.evaluations ? null : quotaReachedReason(quota);
}

export function quotaReachedReason(quota: EvaluationQuota): string {
  return `evaluation quota reached: ${quota.evaluations} evaluations per ${quota.days} days on this project; try again when the oldest leaves the period`;
}
