/**
 * The balance report of a split: for each balanced attribute and each pair of them, the open
 * and sequestered distributions (case counts per value) and the Jensen-Shannon distance
 * between them (base 2, the square root of the divergence: 0 identical, 1 disjoint).
 */
import { BALANCED_ATTRIBUTES, type BalancedAttribute, type CaseProfile } from './case-profiles';
import { UNKNOWN } from '../../search/model';
import { jsDistance } from './jsd';
import type { CaseAssignment } from './split';

export interface BalanceEntry {
  /** One attribute, or two for a pair; a pair's values are `a|b`. The project's own label appears under its name. */
  readonly attributes: readonly string[];
  readonly open: Readonly<Record<string, number>>;
  readonly sequestered: Readonly<Record<string, number>>;
  /** Undefined while one side holds no case. */
  readonly jsDistance?: number;
}

export interface BalanceReport {
  readonly cases: { readonly open: number; readonly sequestered: number };
  readonly attributes: readonly BalanceEntry[];
  readonly pairs: readonly BalanceEntry[];
}

/** Every pair of balanced attributes, in BALANCED_ATTRIBUTES order. */
export const BALANCED_PAIRS: readonly (readonly [BalancedAttribute, BalancedAttribute])[] = BALANCED_ATTRIBUTES.flatMap((a, i) =>
  BALANCED_ATTRIBUTES.slice(i + 1).map((b) => [a, b] as const),
);

/**
 * With the project's own label (`label`, a case attribute of that name), its entry follows the
 * balanced attributes' and its pairs with each of them follow theirs.
 */
export function balanceReport(cases: readonly CaseProfile[], assignments: readonly CaseAssignment[], label?: string): BalanceReport {
  const setOf = new Map(assignments.map((a) => [a.caseId, a.set]));
  const open = cases.filter((c) => setOf.get(c.caseId) === 'open');
  const sequestered = cases.filter((c) => setOf.get(c.caseId) === 'sequestered');
  const entry = (attributes: readonly string[]): BalanceEntry => {
    const o = countBy(open, attributes);
    const s = countBy(sequestered, attributes);
    const distance = jsDistance(o, s);
    return { attributes, open: o, sequestered: s, ...(distance === undefined ? {} : { jsDistance: distance }) };
  };
  return {
    cases: { open: open.length, sequestered: sequestered.length },
    attributes: [...BALANCED_ATTRIBUTES, ...(label ? [label] : [])].map((a) => entry([a])),
    pairs: [...BALANCED_PAIRS, ...(label ? BALANCED_ATTRIBUTES.map((a) => [a, label] as const) : [])].map((pair) => entry(pair)),
  };
}

/** Case counts per value of some attributes (joined with `|`). */
export function countBy(cases: readonly CaseProfile[], attributes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cases) {
    const value = attributes.map((a) => c.attributes[a] ?? UNKNOWN).join('|');
    out[value] = (out[value] ?? 0) + 1;
  }
  return out;
}
