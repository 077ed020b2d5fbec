/**
 * Metrics per subgroup (sex, race, ethnicity, age bin, site, manufacturer), suppression of
 * small subgroups, and fairness measures between the subgroups shown.
 *
 * Suppression: a subgroup with fewer cases than the minimum is not shown. Because the
 * whole set's figures are shown too, a single hidden subgroup would be revealed by
 * subtraction (total minus the shown ones); so within an attribute the hidden subgroups
 * are either none, or at least two holding together at least the minimum: the smallest
 * shown subgroups are hidden as well until that holds (secondary suppression, as in
 * statistical disclosure control). Cases without a value form the subgroup `unknown`,
 * which takes part in the rule like any other.
 */
import { calibration } from './calibration';
import { operatingPoint, type OperatingPoint } from './operating-points';
import { aucWithDelongCi, type AucWithCi, type ScoredCase } from './roc';

export const SUBGROUP_ATTRIBUTES = ['sex', 'race', 'ethnicity', 'ageBin', 'site', 'manufacturer'] as const;
export type SubgroupAttribute = (typeof SUBGROUP_ATTRIBUTES)[number];

export const UNKNOWN_SUBGROUP = 'unknown';

export interface EvaluatedCase extends ScoredCase {
  readonly attributes: Readonly<Partial<Record<SubgroupAttribute, string>>>;
}

/** Age bins in whole years; the dictionary stores ages above 89 as "90+". */
export const AGE_BINS = ['0-17', '18-39', '40-64', '65-79', '80+'] as const;

export function ageBin(age: string | number | undefined): string | undefined {
  if (age === undefined || age === '') return undefined;
  if (typeof age === 'string' && age.trim() === '90+') return '80+';
  const years = Number(age);
  if (!Number.isFinite(years) || years < 0) return undefined;
  if (years < 18) return '0-17';
  if (years < 40) return '18-39';
  if (years < 65) return '40-64';
  if (years < 80) return '65-79';
  return '80+';
}

export interface SubgroupMetrics {
  readonly value: string;
  readonly cases: number;
  readonly positives: number;
  readonly negatives: number;
  /** Null when the subgroup lacks one class. */
  readonly auc: AucWithCi | null;
  readonly operatingPoints: readonly OperatingPoint[];
  /** Null when scores are not probabilities. */
  readonly expectedCalibrationError: number | null;
}

export interface FairnessMeasure {
  readonly value: string;
  /** This subgroup's AUC minus the reference subgroup's; null when either is undefined. */
  readonly aucDifference: number | null;
  readonly atOperatingPoints: readonly {
    readonly threshold: number;
    /** TPR(subgroup) - TPR(reference). */
    readonly equalOpportunityDifference: number | null;
    /** (|FPR(subgroup) - FPR(reference)| + |TPR(subgroup) - TPR(reference)|) / 2. */
    readonly averageAbsoluteOddsDifference: number | null;
  }[];
}

export interface SubgroupTable {
  readonly attribute: SubgroupAttribute;
  /** Subgroups shown, most cases first. */
  readonly shown: readonly SubgroupMetrics[];
  /** How many subgroups were hidden (their values, sizes and metrics are not given). */
  readonly suppressedSubgroups: number;
  /** The subgroup the fairness measures compare against: the largest shown one. */
  readonly reference: string | null;
  readonly fairness: readonly FairnessMeasure[];
}

export interface SubgroupOptions {
  readonly minimumSize: number;
  readonly thresholds: readonly number[];
  readonly calibrationBins: number;
}

/**
 * Which subgroup values stay hidden, given each value's case count: those below the
 * minimum, then the smallest others until the hidden ones are none or at least two
 * holding at least `minimumSize` cases together.
 */
export function suppressedValues(sizes: ReadonlyMap<string, number>, minimumSize: number): Set<string> {
  const ascending = [...sizes.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  const hidden = new Set(ascending.filter(([, n]) => n < minimumSize).map(([value]) => value));
  if (hidden.size === 0) return hidden;
  const hiddenCases = (): number => ascending.filter(([value]) => hidden.has(value)).reduce((sum, [, n]) => sum + n, 0);
  for (const [value] of ascending) {
    if (hidden.size >= 2 && hiddenCases() >= minimumSize) break;
    hidden.add(value);
  }
  return hidden;
}

function metricsOf(value: string, cases: readonly EvaluatedCase[], options: SubgroupOptions): SubgroupMetrics {
  const positives = cases.filter((c) => c.label).length;
  return {
    value,
    cases: cases.length,
    positives,
    negatives: cases.length - positives,
    auc: aucWithDelongCi(cases),
    operatingPoints: options.thresholds.map((t) => operatingPoint(cases, t)),
    expectedCalibrationError: calibration(cases, { bins: options.calibrationBins, minimumBinSize: 0 })?.expectedCalibrationError ?? null,
  };
}

function difference(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

function fairnessAgainst(reference: SubgroupMetrics, group: SubgroupMetrics): FairnessMeasure {
  return {
    value: group.value,
    aucDifference: difference(group.auc?.auc ?? null, reference.auc?.auc ?? null),
    atOperatingPoints: group.operatingPoints.map((point, i) => {
      const ref = reference.operatingPoints[i]!;
      const tprDifference = difference(point.sensitivity, ref.sensitivity);
      // FPR = 1 - specificity, so the FPR difference is minus the specificity difference.
      const specificityDifference = difference(point.specificity, ref.specificity);
      return {
        threshold: point.threshold,
        equalOpportunityDifference: tprDifference,
        averageAbsoluteOddsDifference:
          tprDifference === null || specificityDifference === null ? null : (Math.abs(specificityDifference) + Math.abs(tprDifference)) / 2,
      };
    }),
  };
}

export function subgroupTable(attribute: SubgroupAttribute, cases: readonly EvaluatedCase[], options: SubgroupOptions): SubgroupTable {
  const groups = new Map<string, EvaluatedCase[]>();
  for (const c of cases) {
    const value = c.attributes[attribute] ?? UNKNOWN_SUBGROUP;
    groups.set(value, [...(groups.get(value) ?? []), c]);
  }
  const hidden = suppressedValues(new Map([...groups].map(([value, members]) => [value, members.length])), options.minimumSize);
  const shown = [...groups]
    .filter(([value]) => !hidden.has(value))
    .map(([value, members]) => metricsOf(value, members, options))
    .sort((a, b) => b.cases - a.cases || a.value.localeCompare(b.value));
  const reference = shown[0];
  return {
    attribute,
    shown,
    suppressedSubgroups: hidden.size,
    reference: reference?.value ?? null,
    fairness: reference === undefined ? [] : shown.slice(1).map((group) => fairnessAgainst(reference, group)),
  };
}
