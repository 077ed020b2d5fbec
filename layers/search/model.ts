/**
 * What the search snapshot holds for each published study, and the facets it
 * counts. Pure data: the snapshot builder turns catalog records into rows, the
 * encoder turns rows into columns, the query engine counts over the columns.
 */

/** The facets of the cohort explorer, in the order the API returns them. */
export const FACETS = [
  'project',
  'site',
  'release',
  'modality',
  'bodyPart',
  'sex',
  'ageBand',
  'race',
  'ethnicity',
  'covid19',
  'condition',
  'manufacturer',
  'viewPosition',
  'sliceThickness',
] as const;
export type FacetName = (typeof FACETS)[number];

/** The value a study has for a facet when nothing was recorded. */
export const UNKNOWN = 'unknown';

/** Ages are capped at 89 (HIPAA Safe Harbor): "89" means 89 or older. */
export const MAX_AGE = 89;

/** CDC age bands, inclusive bounds; the last one is open ("85+"). */
export const AGE_BANDS: readonly { readonly label: string; readonly min: number; readonly max: number }[] = [
  { label: '0-17', min: 0, max: 17 },
  { label: '18-29', min: 18, max: 29 },
  { label: '30-39', min: 30, max: 39 },
  { label: '40-49', min: 40, max: 49 },
  { label: '50-64', min: 50, max: 64 },
  { label: '65-74', min: 65, max: 74 },
  { label: '75-84', min: 75, max: 84 },
  { label: '85+', min: 85, max: MAX_AGE },
];

export function ageBand(age: number | undefined): string {
  if (age === undefined) return UNKNOWN;
  return AGE_BANDS.find((b) => age >= b.min && age <= b.max)?.label ?? AGE_BANDS[AGE_BANDS.length - 1]!.label;
}

/** Slice thickness bands (mm, upper bound inclusive); thin-slice CT is what AI studies usually ask for. */
export const SLICE_THICKNESS_BANDS: readonly { readonly label: string; readonly max: number }[] = [
  { label: '0-1mm', max: 1 },
  { label: '1-2.5mm', max: 2.5 },
  { label: '2.5-5mm', max: 5 },
  { label: '5mm+', max: Number.POSITIVE_INFINITY },
];

export function sliceThicknessBand(mm: number): string {
  return SLICE_THICKNESS_BANDS.find((b) => mm <= b.max)!.label;
}

/**
 * One published study as search sees it. Multi-valued facets (a CT+PT study has
 * two modalities) are arrays; an empty array counts as `unknown`.
 */
export interface StudyRow {
  readonly studyUid: string;
  readonly project: string;
  readonly site: string;
  /** The first release that contains the study (releases only add studies); absent until released. */
  readonly firstRelease?: number;
  readonly modalities: readonly string[];
  readonly bodyParts: readonly string[];
  readonly manufacturers: readonly string[];
  readonly viewPositions: readonly string[];
  readonly sliceThicknessBands: readonly string[];
  readonly sex?: string;
  /** Age at imaging (or at index when the case gives it), 0..89. */
  readonly age?: number;
  readonly race?: string;
  readonly ethnicity?: string;
  readonly covid19?: string;
  /** ICD-10-CM categories (U07, J12) of the case's condition records (docs/clinical-dictionary.md). */
  readonly conditions?: readonly string[];
  /** Year of the (shifted) study date. */
  readonly studyYear?: number;
  /** Cleaned study description. */
  readonly description?: string;
  /** ISO time of publication: pages are newest first. */
  readonly publishedAt: string;
}

/** Single-valued facet fields and set-valued facet fields of a row, by facet. */
export const SET_FACET_FIELD = {
  project: (r: StudyRow) => [r.project],
  site: (r: StudyRow) => [r.site],
  modality: (r: StudyRow) => r.modalities,
  bodyPart: (r: StudyRow) => r.bodyParts,
  sex: (r: StudyRow) => (r.sex ? [r.sex] : []),
  race: (r: StudyRow) => (r.race ? [r.race] : []),
  ethnicity: (r: StudyRow) => (r.ethnicity ? [r.ethnicity] : []),
  covid19: (r: StudyRow) => (r.covid19 ? [r.covid19] : []),
  condition: (r: StudyRow) => r.conditions ?? [],
  manufacturer: (r: StudyRow) => r.manufacturers,
  viewPosition: (r: StudyRow) => r.viewPositions,
  sliceThickness: (r: StudyRow) => r.sliceThicknessBands,
} as const satisfies Partial<Record<FacetName, (r: StudyRow) => readonly string[]>>;

export type SetFacetName = keyof typeof SET_FACET_FIELD;
export const SET_FACETS = Object.keys(SET_FACET_FIELD) as SetFacetName[];

/** The facet values a row has (what a brute-force count counts), `unknown` for none. */
export function rowFacetValues(row: StudyRow, facet: FacetName): string[] {
  if (facet === 'ageBand') return [ageBand(row.age)];
  if (facet === 'release') return []; // cumulative: see releaseValuesOf
  const values = [...new Set(SET_FACET_FIELD[facet](row))];
  return values.length ? values : [UNKNOWN];
}

/** A study is in every release from its first one on: releases never drop a study. */
export function releaseValuesOf(row: StudyRow, latestRelease: number): string[] {
  if (!row.firstRelease) return [];
  const out: string[] = [];
  for (let r = row.firstRelease; r <= latestRelease; r += 1) out.push(String(r));
  return out;
}

export interface Range {
  readonly min?: number;
  readonly max?: number;
}

/** A search: OR within a facet, AND across facets, plus ranges and a description prefix. */
export interface SearchFilters {
  readonly facets?: Partial<Record<FacetName, readonly string[]>>;
  readonly age?: Range;
  readonly year?: Range;
  /** Case-insensitive prefix of the study description. */
  readonly descriptionPrefix?: string;
}

/** Who may see what: `all` for curators, otherwise the set of visible project ids. */
export type ProjectScope = 'all' | ReadonlySet<string>;

export interface FacetCount {
  readonly value: string;
  readonly count: number;
}

export interface SearchResult {
  readonly total: number;
  /** Per facet, counts under all filters except that facet's own. Zero counts are left out. */
  readonly facets: Record<FacetName, FacetCount[]>;
  readonly studies: StudyView[];
  readonly cursor?: string;
}

/** A study as a search page lists it. */
export interface StudyView {
  readonly studyUid: string;
  readonly project: string;
  readonly site: string;
  readonly release?: number;
  readonly modalities: string[];
  readonly bodyParts: string[];
  readonly sex: string;
  readonly ageBand: string;
  readonly race: string;
  readonly ethnicity: string;
  readonly covid19: string;
  readonly manufacturers: string[];
  readonly studyYear?: number;
  readonly description?: string;
  readonly publishedAt: string;
}
