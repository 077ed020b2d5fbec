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

/** Null when one more evaluation is allowed; else the value-free reason it is refused. */
export function quotaRefusal(countedInPeriod: number, quota: EvaluationQuota): string | null {
  if (countedInPeriod < quota.evaluations) return null;
  return `evaluation quota reached: ${quota.evaluations} evaluations per ${quota.days} days on this project; try again when the oldest leaves the period`;
}
