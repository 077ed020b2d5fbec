/**
 * The curator queue's filters as the URL holds them (shareable, the back button works), and
 * the query GET /quarantine takes. Pure.
 */
export interface QuarantineFilter {
  readonly project: string;
  readonly rule: string;
  readonly submission: string;
  readonly status: 'quarantined' | 'released' | 'rejected';
}

const STATUSES = ['quarantined', 'released', 'rejected'] as const;

export function filterFromQuery(query: URLSearchParams): QuarantineFilter {
  const status = query.get('status');
  return {
    project: query.get('project') ?? '',
    rule: query.get('rule') ?? '',
    submission: query.get('submission') ?? '',
    status: (STATUSES as readonly string[]).includes(status ?? '') ? (status as QuarantineFilter['status']) : 'quarantined',
  };
}

/** The portal's query string for a filter: empty fields and the default status left out. */
export function queryOf(filter: QuarantineFilter): string {
  const q = new URLSearchParams();
  if (filter.project) q.set('project', filter.project);
  if (filter.rule) q.set('rule', filter.rule);
  if (filter.submission) q.set('submission', filter.submission);
  if (filter.status !== 'quarantined') q.set('status', filter.status);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** The API's query: only what it accepts (a rule id and a submission UUID in their forms; others are left out rather than refused). */
export function apiQueryOf(filter: QuarantineFilter): Record<string, string> {
  return {
    status: filter.status,
    ...(filter.project ? { project: filter.project } : {}),
    ...(/^[A-Za-z0-9.-]{1,64}$/.test(filter.rule) ? { rule: filter.rule } : {}),
    ...(/^[0-9a-f-]{36}$/i.test(filter.submission) ? { submission: filter.submission.toLowerCase() } : {}),
  };
}

/** Rule ids a curator may name as overridden: those blocking this item (the API refuses any it cannot override, and says which). */
export function overridableOf(rules: readonly string[], chosen: ReadonlySet<string>): string[] {
  return rules.filter((r) => chosen.has(r));
}
