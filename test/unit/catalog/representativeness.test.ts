import { referenceFor, REFERENCES, representativeness, type ReferencePopulation } from '../../../layers/catalog/representativeness';
import type { CaseProfile } from '../../../layers/catalog/sequestration';

const profile = (caseId: string, attributes: Partial<CaseProfile['attributes']>): CaseProfile => ({
  caseId,
  project: 'p',
  site: 's',
  studyUids: [],
  attributes: {
    covid19: 'unknown',
    sex: 'unknown',
    ageBand: 'unknown',
    race: 'unknown',
    ethnicity: 'unknown',
    modality: 'CT',
    site: 's',
    ...attributes,
  },
});

describe('representativeness against a reference population', () => {
  const halves: ReferencePopulation = {
    id: 'halves',
    title: 'test',
    source: 'test',
    mapping: {},
    total: 2,
    distributions: { race: { White: 1, Asian: 1 }, age: { 'under 18': 1, '18 and over': 3 } },
  };

  it('matches a hand computation: every case White against a population half White, half Asian', () => {
    // P = (1, 0), Q = (1/2, 1/2), M = (3/4, 1/4): KL(P||M) = log2(4/3) = 0.4150374993,
    // KL(Q||M) = 1/2 log2(2/3) + 1/2 log2(2) = 0.2075187496; JSD = 0.3112781245, distance = 0.5579230453.
    const cases = [profile('a', { race: 'White' }), profile('b', { race: 'White' }), profile('c', { race: 'Not Reported' })];
    const race = representativeness(cases, halves).dimensions.find((d) => d.dimension === 'race')!;
    expect(race.sample).toEqual({ White: 2 });
    expect(race.leftOut).toBe(1);
    expect(race.jsDistance).toBeCloseTo(0.5579230453, 9);
  });

  it('maps age bands to the reference bins and is 0 when the sample has the reference shares', () => {
    const cases = [
      profile('a', { ageBand: '0-17' }),
      profile('b', { ageBand: '18-29' }),
      profile('c', { ageBand: '50-64' }),
      profile('d', { ageBand: '85+' }),
    ];
    const age = representativeness(cases, halves).dimensions.find((d) => d.dimension === 'age')!;
    expect(age.sample).toEqual({ 'under 18': 1, '18 and over': 3 });
    expect(age.jsDistance).toBeCloseTo(0, 6);
  });

  it('ships the 2020 Census with its provenance, its counts summing to the population in every dimension', () => {
    const census = REFERENCES['us-census-2020']!;
    expect(JSON.stringify(census.source)).toContain('https://data.census.gov/table/DECENNIALPL2020.P1');
    for (const counts of Object.values(census.distributions)) expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(331_449_281);
    expect(referenceFor({ settings: {} }).id).toBe('us-census-2020');
    expect(referenceFor({ settings: { representativenessReference: 'nonesuch' } }).id).toBe('us-census-2020');
  });

  it('gives the race x ethnicity intersection of the Census: Hispanic White cases are 12,579,626 of 331,449,281', () => {
    // One case in the one category: P = (1, 0, ...), Q = the census shares; q = 12579626 / 331449281 = 0.0379526.
    // M = ((1 + q) / 2, q_i / 2 ...): KL(P||M) = log2(2 / (1 + q)); KL(Q||M) = q log2(2q / (1 + q)) + (1 - q) log2(2) = q log2(2q/(1+q)) + (1 - q).
    const q = 12579626 / 331449281;
    const expected = Math.sqrt(0.5 * Math.log2(2 / (1 + q)) + 0.5 * (q * Math.log2((2 * q) / (1 + q)) + (1 - q)));
    const result = representativeness([profile('a', { race: 'White', ethnicity: 'Hispanic or Latino' })], REFERENCES['us-census-2020']!);
    expect(result.dimensions.find((d) => d.dimension === 'race|ethnicity')!.jsDistance).toBeCloseTo(expected, 9);
  });
});
