/**
 * The stratified split: which of a project's new cases are sequestered at a release.
 *
 * The rule (docs/sequestration.md): the new cases (those no earlier release assigned) are put
 * in one list ordered by site, then by the balanced attributes in BALANCED_ATTRIBUTES order
 * (COVID-19 status, sex, age band, race, ethnicity, modality), ties broken by a hash of the
 * seed and the case id. The list is walked with an accumulator that starts at a seeded
 * fraction u in [0, 1) and adds the share at each case; a case is sequestered when the
 * accumulator reaches 1 (which then loses 1). This is systematic sampling over a sorted list:
 * every run of consecutive cases (a site, a site's COVID-positive cases, their women, ...)
 * gets floor or ceil of share x its size, whatever its size, because the fraction left over
 * by one stratum carries into the next. A stratum of one case is sequestered or not by where
 * the carry stands, so small strata are neither all kept nor all dropped, and the overall
 * count is floor(u + share x n): the share is exact to one case.
 *
 * Deterministic: the seed is the project and the release number. Permanent: cases assigned
 * by an earlier release keep their assignment (open stays open: researchers may already hold
 * them; sequestered stays sequestered), only new cases are drawn.
 */
import { createHash } from 'node:crypto';
import { UNKNOWN } from '../../search/model';
import { BALANCED_ATTRIBUTES, compare, DEFAULT_STRATIFYING_LABEL, type CaseProfile } from './case-profiles';

export type SequestrationSet = 'open' | 'sequestered';

export interface CaseAssignment {
  readonly caseId: string;
  readonly set: SequestrationSet;
  /** The release that assigned it. */
  readonly release: number;
}

/** The share a project sequesters when its settings turn sequestration on without a share. */
export const DEFAULT_SEQUESTERED_SHARE = 0.2;

export interface SplitRequest {
  readonly project: string;
  readonly release: number;
  /** The share of new cases sequestered, 0..1. */
  readonly share: number;
  /** Every case of the project in this release. */
  readonly cases: readonly CaseProfile[];
  /** Assignments made by earlier releases, by case id. */
  readonly earlier: ReadonlyMap<string, CaseAssignment>;
  /** The label sorted on right after the site: the project's own (a case attribute of that name), else COVID-19 status. */
  readonly stratifyBy?: string;
}

/** The assignment of every case of the request, sorted by case id: earlier ones as they were, new ones drawn. */
export function assignCases(request: SplitRequest): CaseAssignment[] {
  if (!(request.share >= 0 && request.share <= 1)) throw new RangeError('the sequestered share must lie between 0 and 1');
  const seed = `${request.project}\0${request.release}`;
  const fresh = request.cases.filter((c) => !request.earlier.has(c.caseId));
  const stratifyBy = request.stratifyBy ?? DEFAULT_STRATIFYING_LABEL;
  const keyed = fresh.map((c) => ({ c, key: sortKey(c, stratifyBy), tie: digest(`${seed}\0${c.caseId}`) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key) || compare(a.tie, b.tie));
  let carry = fraction(digest(`${seed}\0start`));
  const drawn = new Map<string, CaseAssignment>();
  for (const { c } of keyed) {
    carry += request.share;
    const sequestered = carry >= 1 - 1e-12;
    if (sequestered) carry -= 1;
    drawn.set(c.caseId, { caseId: c.caseId, set: sequestered ? 'sequestered' : 'open', release: request.release });
  }
  return request.cases.map((c) => request.earlier.get(c.caseId) ?? drawn.get(c.caseId)!).sort((a, b) => compare(a.caseId, b.caseId));
}

/** Site first (every site gives its share), then the label, then the other balanced attributes. */
function sortKey(c: CaseProfile, stratifyBy: string): string[] {
  const others = BALANCED_ATTRIBUTES.filter((a) => a !== 'site' && a !== DEFAULT_STRATIFYING_LABEL);
  return [c.site, c.attributes[stratifyBy] ?? UNKNOWN, ...others.map((a) => c.attributes[a])];
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const c = compare(a[i]!, b[i]!);
    if (c) return c;
  }
  return 0;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A hex digest as a fraction in [0, 1) (its first 52 bits). */
function fraction(hex: string): number {
  return parseInt(hex.slice(0, 13), 16) / 2 ** 52;
}
