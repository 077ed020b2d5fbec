import {
  EMPTY_FILTERS,
  filtersFromQuery,
  queryFromFilters,
  searchFilters,
  toggleFacet,
  withRange,
  type ExploreFilters,
} from '../../../web/src/lib/query-state';

const roundTrip = (f: ExploreFilters) => filtersFromQuery(new URLSearchParams(queryFromFilters(f).toString()));

describe("Explore's filters in the URL", () => {
  it('survive a round trip through the address bar: facets, ranges, description, values with commas and spaces', () => {
    const filters: ExploreFilters = {
      facets: { modality: ['CT', 'DX'], race: ['Black, or African American'], site: ['site a'] },
      age: { min: 50, max: 64 },
      year: { min: 2020 },
      descriptionPrefix: 'ct ch&est=1',
    };
    expect(roundTrip(filters)).toEqual(filters);
    expect(roundTrip(EMPTY_FILTERS)).toEqual(EMPTY_FILTERS);
  });

  it('encode one selection as one URL whatever the click order (facets in the API order, values sorted)', () => {
    const a = toggleFacet(toggleFacet(EMPTY_FILTERS, 'sex', 'M', true), 'modality', 'DX', true);
    const b = toggleFacet(toggleFacet(toggleFacet(EMPTY_FILTERS, 'modality', 'DX', true), 'sex', 'M', true), 'modality', 'CT', false);
    expect(queryFromFilters(a).toString()).toBe(queryFromFilters(b).toString());
    expect(queryFromFilters(a).toString()).toBe('modality=DX&sex=M');
  });

  it('drop what the search API would refuse instead of sending it: unknown facets, non-numbers, empty values; swap a reversed range', () => {
    const f = filtersFromQuery(
      new URLSearchParams('colour=red&modality=&ageMin=abc&ageMax=40&yearMin=2024&yearMax=2019&description=%20%20'),
    );
    expect(f).toEqual({ facets: {}, age: { max: 40 }, year: { min: 2019, max: 2024 } });
  });

  it('unchecking the last value of a facet removes the facet', () => {
    const f = toggleFacet(toggleFacet(EMPTY_FILTERS, 'sex', 'F', true), 'sex', 'F', false);
    expect(f.facets).toEqual({});
    expect(queryFromFilters(f).toString()).toBe('');
  });

  it('a cleared range is no range', () => {
    const f = withRange(withRange(EMPTY_FILTERS, 'age', { min: 10 }), 'age', {});
    expect(f).toEqual(EMPTY_FILTERS);
  });

  it('become the search body the API validates (layers/search filtersSchema)', async () => {
    const { filtersSchema } = await import('../../../layers/search/request-schemas');
    const body = searchFilters({ facets: { modality: ['CT'] }, age: { min: 18 }, descriptionPrefix: 'chest' });
    expect(body).toEqual({ facets: { modality: ['CT'] }, age: { min: 18 }, descriptionPrefix: 'chest' });
    expect(filtersSchema.safeParse(body).success).toBe(true);
    expect(filtersSchema.safeParse(searchFilters(EMPTY_FILTERS)).success).toBe(true);
  });
});
