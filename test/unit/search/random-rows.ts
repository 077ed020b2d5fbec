/** Seeded random studies and searches for the property tests (mulberry32: same seed, same data). */
import { FACETS, FacetName, SearchFilters, StudyRow } from '../../../layers/search';
import { rng } from '../../support/random';
export { rng };

export const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const maybe = <T>(r: () => number, p: number, value: () => T): T | undefined => (r() < p ? value() : undefined);
const some = (r: () => number, items: readonly string[], max: number): string[] => [
  ...new Set(Array.from({ length: Math.floor(r() * (max + 1)) }, () => pick(r, items))),
];

export const VOCAB = {
  project: ['lung', 'heart', 'covid-a', 'covid-b'],
  site: ['site-a', 'site-b', 'site-c'],
  modality: ['CT', 'DX', 'CR', 'PT', 'MR'],
  bodyPart: ['CHEST', 'ABDOMEN', 'HEAD'],
  sex: ['Female', 'Male', 'Other'],
  race: ['White', 'Black or African American', 'Asian', 'Other'],
  ethnicity: ['Hispanic or Latino', 'Not Hispanic or Latino'],
  covid19: ['Yes', 'No'],
  condition: ['U07', 'J12', 'I10'],
  manufacturer: ['ACME', 'GE', 'SIEMENS', 'PHILIPS'],
  viewPosition: ['PA', 'AP', 'LL'],
  sliceThickness: ['0-1mm', '1-2.5mm', '2.5-5mm', '5mm+'],
  description: ['CT CHEST', 'CT Chest w contrast', 'XR CHEST PA', 'xr chest ap portable', 'MR BRAIN'],
};

let uidCounter = 0;
export function randomRow(r: () => number): StudyRow {
  uidCounter += 1;
  const uid = r() < 0.1 ? `1.2.840.99.${uidCounter}` : `2.25.${BigInt(Math.floor(r() * 2 ** 52)) * 1000003n + BigInt(uidCounter)}`;
  const row: Record<string, unknown> = {
    studyUid: uid,
    project: pick(r, VOCAB.project),
    site: pick(r, VOCAB.site),
    firstRelease: maybe(r, 0.7, () => 1 + Math.floor(r() * 4)),
    modalities: some(r, VOCAB.modality, 2),
    bodyParts: some(r, VOCAB.bodyPart, 2),
    manufacturers: some(r, VOCAB.manufacturer, 2),
    viewPositions: some(r, VOCAB.viewPosition, 1),
    sliceThicknessBands: some(r, VOCAB.sliceThickness, 2),
    sex: maybe(r, 0.9, () => pick(r, VOCAB.sex)),
    age: maybe(r, 0.85, () => Math.floor(r() * 90)),
    race: maybe(r, 0.8, () => pick(r, VOCAB.race)),
    ethnicity: maybe(r, 0.8, () => pick(r, VOCAB.ethnicity)),
    covid19: maybe(r, 0.8, () => pick(r, VOCAB.covid19)),
    conditions: ((c) => (c.length ? c : undefined))(some(r, VOCAB.condition, 2)),
    studyYear: maybe(r, 0.8, () => 2015 + Math.floor(r() * 10)),
    description: maybe(r, 0.7, () => pick(r, VOCAB.description)),
    // Few distinct seconds, so ties on the publication time are common and the UID decides.
    publishedAt: new Date(Date.UTC(2025, 0, 1) + Math.floor(r() * 20) * 1000).toISOString(),
  };
  for (const key of Object.keys(row)) if (row[key] === undefined) delete row[key];
  return row as unknown as StudyRow;
}

const VALUES: Record<FacetName, readonly string[]> = {
  ...VOCAB,
  release: ['1', '2', '3', '4', '9'],
  ageBand: ['0-17', '18-29', '30-39', '40-49', '50-64', '65-74', '75-84', '85+', 'unknown'],
};

export function randomFilters(r: () => number): SearchFilters {
  const facets: Partial<Record<FacetName, string[]>> = {};
  const howMany = Math.floor(r() * 6);
  for (let i = 0; i < howMany; i += 1) {
    const facet = pick(r, FACETS);
    facets[facet] = some(r, [...VALUES[facet], 'unknown'], 3);
  }
  const lo = Math.floor(r() * 60);
  return {
    facets,
    ...(r() < 0.25 ? { age: r() < 0.5 ? { min: lo, max: lo + Math.floor(r() * 40) } : { min: lo } } : {}),
    ...(r() < 0.2 ? { year: { min: 2016 + Math.floor(r() * 4), max: 2019 + Math.floor(r() * 5) } } : {}),
    ...(r() < 0.2 ? { descriptionPrefix: pick(r, ['ct', 'CT CH', 'xr chest', 'mr', 'zz']) } : {}),
  };
}
