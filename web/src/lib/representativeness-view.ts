/**
 * What the representativeness page shows, from `GET /releases/{n}/representativeness` as the
 * API answers it (functions/api/release-representativeness.ts): a project's cases against its
 * reference population per dimension (shares side by side and the Jensen-Shannon distance),
 * the distances across releases, and, for curators, the sequestration split's balance.
 */
import type { DimensionDistance, ReferencePopulation } from '../../../layers/catalog/representativeness';
import type { BalanceEntry, BalanceReport } from '../../../layers/catalog/sequestration';

export interface TrendPoint {
  readonly release: number;
  readonly cases: number;
  readonly distances: Readonly<Record<string, number | null>>;
}

export interface ProjectRepresentativeness {
  readonly project: string;
  readonly reference: string;
  readonly cases: number;
  readonly dimensions: readonly DimensionDistance[];
  /** Curators only, and only for a project whose cases are split. */
  readonly balance?: BalanceReport;
  readonly trend: readonly TrendPoint[];
}

/** The body of GET /releases/{n}/representativeness. */
export interface RepresentativenessAnswer {
  readonly releaseNumber: number;
  readonly measure: string;
  readonly cases: string;
  readonly references: readonly ReferencePopulation[];
  readonly projects: readonly ProjectRepresentativeness[];
}

const NAMES: Readonly<Record<string, string>> = {
  race: 'Race',
  ethnicity: 'Ethnicity',
  age: 'Age',
  sex: 'Sex',
  covid19: 'COVID-19',
  ageBand: 'Age band',
  modality: 'Modality',
  site: 'Site',
};

/** A dimension or attribute as a person reads it; an intersection `race|ethnicity` is "Race × ethnicity". */
export function dimensionName(dimension: string): string {
  const parts = dimension.split('|').map((p) => NAMES[p] ?? p);
  return parts.map((p, i) => (i === 0 ? p : p.toLowerCase())).join(' × ');
}

/** A category of an intersection as words: `White|Not Hispanic or Latino` is "White, Not Hispanic or Latino". */
export function categoryName(category: string): string {
  return category.split('|').join(', ');
}

export interface ShareRow {
  readonly category: string;
  readonly count: number;
  /** Of the compared cases (those left out do not count). */
  readonly share: number;
  readonly referenceShare: number;
}

/** Each reference category (in the reference's order) with the cases' share and the reference's share. */
export function pairedShares(sample: Readonly<Record<string, number>>, reference: Readonly<Record<string, number>>): ShareRow[] {
  const sampleTotal = sum(sample);
  const referenceTotal = sum(reference);
  const categories = [...Object.keys(reference), ...Object.keys(sample).filter((c) => !(c in reference))];
  return categories.map((category) => {
    const count = sample[category] ?? 0;
    return {
      category,
      count,
      share: sampleTotal > 0 ? count / sampleTotal : 0,
      referenceShare: referenceTotal > 0 ? (reference[category] ?? 0) / referenceTotal : 0,
    };
  });
}

/** A dimension's distance at each release, in release order (null where no case could be compared). */
export function trendOf(trend: readonly TrendPoint[], dimension: string): { release: number; distance: number | null }[] {
  return [...trend].sort((a, b) => a.release - b.release).map((t) => ({ release: t.release, distance: t.distances[dimension] ?? null }));
}

export interface BalanceRow {
  readonly value: string;
  readonly open: number;
  readonly sequestered: number;
  readonly openShare: number;
  readonly sequesteredShare: number;
}

/** A balance entry's values, most cases first, with each set's counts and shares. */
export function balanceRows(entry: BalanceEntry): BalanceRow[] {
  const openTotal = sum(entry.open);
  const sequesteredTotal = sum(entry.sequestered);
  const values = [...new Set([...Object.keys(entry.open), ...Object.keys(entry.sequestered)])];
  return values
    .map((value) => {
      const open = entry.open[value] ?? 0;
      const sequestered = entry.sequestered[value] ?? 0;
      return {
        value,
        open,
        sequestered,
        openShare: openTotal > 0 ? open / openTotal : 0,
        sequesteredShare: sequesteredTotal > 0 ? sequestered / sequesteredTotal : 0,
      };
    })
    .sort((a, b) => b.open + b.sequestered - (a.open + a.sequestered) || a.value.localeCompare(b.value));
}

function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
