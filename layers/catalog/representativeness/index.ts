/**
 * Representativeness: how far a release's cases are from a reference population, as the
 * Jensen-Shannon distance (base 2, the square root of the divergence, 0..1) of each attribute
 * and intersection the reference gives, against the reference's shares. References are data
 * with their provenance (us-census-2020.json); a project names its own in its settings
 * (`representativenessReference`), else the default.
 */
import { UNKNOWN } from '../../search/model';
import type { Project } from '../commons-entities';
import { jsDistance, type CaseProfile } from '../sequestration';
import usCensus2020 from './us-census-2020.json';

export interface ReferencePopulation {
  readonly id: string;
  readonly title: string;
  readonly source: unknown;
  readonly omitted?: string;
  readonly mapping: Readonly<Record<string, string>>;
  readonly total: number;
  /** Counts per category, by dimension (`race`, `ethnicity`, `age`, `race|ethnicity`). */
  readonly distributions: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export const REFERENCES: Readonly<Record<string, ReferencePopulation>> = { [usCensus2020.id]: usCensus2020 };
export const DEFAULT_REFERENCE = usCensus2020.id;

export function referenceFor(project: Pick<Project, 'settings'> | undefined): ReferencePopulation {
  const named = project?.settings?.representativenessReference;
  return (typeof named === 'string' ? REFERENCES[named] : undefined) ?? REFERENCES[DEFAULT_REFERENCE]!;
}

const NOT_AN_ANSWER = new Set([UNKNOWN, 'Not Reported', 'Unknown']);
const answer = (value: string) => (NOT_AN_ANSWER.has(value) ? undefined : value);

/** A case's category in a reference dimension, or undefined (left out: unknown, or a value the reference has no category for). */
const CATEGORY: Readonly<Record<string, (c: CaseProfile) => string | undefined>> = {
  race: (c) => answer(c.attributes.race),
  ethnicity: (c) => answer(c.attributes.ethnicity),
  age: (c) => (c.attributes.ageBand === UNKNOWN ? undefined : c.attributes.ageBand === '0-17' ? 'under 18' : '18 and over'),
  sex: (c) => answer(c.attributes.sex),
  'race|ethnicity': (c) => {
    const race = answer(c.attributes.race);
    const ethnicity = answer(c.attributes.ethnicity);
    return race && ethnicity ? `${race}|${ethnicity}` : undefined;
  },
};

export interface DimensionDistance {
  /** `race`, `ethnicity`, `age`, or an intersection such as `race|ethnicity`. */
  readonly dimension: string;
  /** Cases per reference category. */
  readonly sample: Readonly<Record<string, number>>;
  /** Cases left out: unknown, not reported, or outside the reference's categories. */
  readonly leftOut: number;
  /** Undefined when no case could be compared. */
  readonly jsDistance?: number;
}

export interface Representativeness {
  readonly reference: string;
  readonly cases: number;
  readonly dimensions: readonly DimensionDistance[];
}

/** The distance of some cases from a reference, per dimension the reference gives (in its order). */
export function representativeness(cases: readonly CaseProfile[], reference: ReferencePopulation): Representativeness {
  const dimensions = Object.entries(reference.distributions).flatMap(([dimension, shares]): DimensionDistance[] => {
    const category = CATEGORY[dimension];
    if (!category) return [];
    const sample: Record<string, number> = {};
    let leftOut = 0;
    for (const c of cases) {
      const value = category(c);
      if (value === undefined || shares[value] === undefined) leftOut += 1;
      else sample[value] = (sample[value] ?? 0) + 1;
    }
    const distance = jsDistance(sample, shares);
    return [{ dimension, sample, leftOut, ...(distance === undefined ? {} : { jsDistance: distance }) }];
  });
  return { reference: reference.id, cases: cases.length, dimensions };
}
