/**
 * Explore's filters in the URL and back: the same filter set as the search API's
 * (layers/search), one query parameter per facet value (`modality=CT&modality=DX`, so a
 * value with a comma survives), `ageMin`/`ageMax`/`yearMin`/`yearMax` and `description`.
 * The encoding is canonical (facets in the API's order, values sorted), so the same
 * selection is the same URL and a round trip changes nothing.
 */
import { FACETS, type FacetName } from '../../../layers/search/model';

export { FACETS, type FacetName };

export interface Range {
  readonly min?: number;
  readonly max?: number;
}

export interface ExploreFilters {
  readonly facets: Readonly<Partial<Record<FacetName, readonly string[]>>>;
  readonly age?: Range;
  readonly year?: Range;
  readonly descriptionPrefix?: string;
}

export const EMPTY_FILTERS: ExploreFilters = { facets: {} };

const MAX_VALUE_LENGTH = 128;
const RANGE_MAX = 9999;

export function filtersFromQuery(query: URLSearchParams): ExploreFilters {
  const facets: Partial<Record<FacetName, string[]>> = {};
  for (const f of FACETS) {
    const values = [...new Set(query.getAll(f).filter((v) => v !== '' && v.length <= MAX_VALUE_LENGTH))].sort();
    if (values.length) facets[f] = values;
  }
  const age = rangeOf(query.get('ageMin'), query.get('ageMax'));
  const year = rangeOf(query.get('yearMin'), query.get('yearMax'));
  const description = query.get('description')?.trim().slice(0, MAX_VALUE_LENGTH);
  return { facets, ...(age ? { age } : {}), ...(year ? { year } : {}), ...(description ? { descriptionPrefix: description } : {}) };
}

export function queryFromFilters(filters: ExploreFilters): URLSearchParams {
  const q = new URLSearchParams();
  for (const f of FACETS) for (const v of [...(filters.facets[f] ?? [])].sort()) q.append(f, v);
  if (filters.age?.min !== undefined) q.set('ageMin', String(filters.age.min));
  if (filters.age?.max !== undefined) q.set('ageMax', String(filters.age.max));
  if (filters.year?.min !== undefined) q.set('yearMin', String(filters.year.min));
  if (filters.year?.max !== undefined) q.set('yearMax', String(filters.year.max));
  if (filters.descriptionPrefix) q.set('description', filters.descriptionPrefix);
  return q;
}

/** The body of `POST /search` (and `filters` of `POST /cohorts`). */
export function searchFilters(filters: ExploreFilters): Record<string, unknown> {
  const facets = Object.fromEntries(FACETS.filter((f) => filters.facets[f]?.length).map((f) => [f, [...filters.facets[f]!]]));
  return {
    ...(Object.keys(facets).length ? { facets } : {}),
    ...(filters.age ? { age: { ...filters.age } } : {}),
    ...(filters.year ? { year: { ...filters.year } } : {}),
    ...(filters.descriptionPrefix ? { descriptionPrefix: filters.descriptionPrefix } : {}),
  };
}

/** The filters with one facet value chosen or dropped. */
export function toggleFacet(filters: ExploreFilters, facet: FacetName, value: string, on: boolean): ExploreFilters {
  const current = new Set(filters.facets[facet] ?? []);
  if (on) current.add(value);
  else current.delete(value);
  const facets = { ...filters.facets, [facet]: [...current].sort() };
  if (current.size === 0) delete facets[facet];
  return { ...filters, facets };
}

export function withRange(filters: ExploreFilters, which: 'age' | 'year', range: Range): ExploreFilters {
  const { [which]: _dropped, ...rest } = filters;
  const clean = rangeOf(range.min === undefined ? null : String(range.min), range.max === undefined ? null : String(range.max));
  return clean ? { ...rest, [which]: clean } : rest;
}

export function activeFilterCount(filters: ExploreFilters): number {
  return (
    FACETS.reduce((n, f) => n + (filters.facets[f]?.length ?? 0), 0) +
    (filters.age ? 1 : 0) +
    (filters.year ? 1 : 0) +
    (filters.descriptionPrefix ? 1 : 0)
  );
}

/** A range from two query values; bounds the API would refuse (not integers, out of range, min > max) are dropped. */
function rangeOf(minText: string | null, maxText: string | null): Range | undefined {
  const parse = (t: string | null) => {
    if (t === null || !/^\d{1,4}$/.test(t.trim())) return undefined;
    const n = Number(t);
    return n <= RANGE_MAX ? n : undefined;
  };
  let min = parse(minText);
  let max = parse(maxText);
  if (min !== undefined && max !== undefined && min > max) [min, max] = [max, min];
  if (min === undefined && max === undefined) return undefined;
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}
