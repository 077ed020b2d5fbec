/**
 * The one-pass facet counter against a brute-force count written from the
 * definition (OR within a facet, AND across facets, each facet's counts with its
 * own filter left out, hard filters for scope and ranges), on random studies and
 * random searches over many seeds; and pages against a sort of the brute-force matches.
 */
import {
  buildSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  FACETS,
  FacetName,
  matchingRows,
  mergeRows,
  ProjectScope,
  releaseValuesOf,
  rowFacetValues,
  search,
  SearchFilters,
  snapshotRows,
  StudyRow,
} from '../../../layers/search';
import { compareRows } from '../../../layers/search/snapshot';
import { pick, randomFilters, randomRow, rng, VOCAB } from './random-rows';

function passesHard(row: StudyRow, filters: SearchFilters, scope: ProjectScope): boolean {
  if (scope !== 'all' && !scope.has(row.project)) return false;
  const inRange = (v: number | undefined, range: SearchFilters['age']) =>
    !range ||
    (range.min === undefined && range.max === undefined) ||
    (v !== undefined && (range.min === undefined || v >= range.min) && (range.max === undefined || v <= range.max));
  if (!inRange(row.age, filters.age) || !inRange(row.studyYear, filters.year)) return false;
  const prefix = filters.descriptionPrefix?.trim().toLowerCase();
  if (prefix && !(row.description ?? '').toLowerCase().startsWith(prefix)) return false;
  if (prefix && !row.description) return false;
  return true;
}

function valuesOf(row: StudyRow, facet: FacetName, latest: number): string[] {
  return facet === 'release' ? releaseValuesOf(row, latest) : rowFacetValues(row, facet);
}

function passesFacet(row: StudyRow, facet: FacetName, filters: SearchFilters, latest: number): boolean {
  const selected = filters.facets?.[facet];
  if (!selected || selected.length === 0) return true;
  return valuesOf(row, facet, latest).some((v) => selected.includes(v));
}

function bruteForce(rows: readonly StudyRow[], filters: SearchFilters, scope: ProjectScope) {
  const latest = rows.reduce((m, r) => Math.max(m, r.firstRelease ?? 0), 0);
  const visible = rows.filter((r) => passesHard(r, filters, scope));
  const matches = visible.filter((r) => FACETS.every((f) => passesFacet(r, f, filters, latest)));
  const facets = {} as Record<FacetName, Record<string, number>>;
  for (const facet of FACETS) {
    const counts: Record<string, number> = {};
    for (const row of visible) {
      if (!FACETS.every((f) => f === facet || passesFacet(row, f, filters, latest))) continue;
      for (const v of valuesOf(row, facet, latest)) counts[v] = (counts[v] ?? 0) + 1;
    }
    facets[facet] = counts;
  }
  return { total: matches.length, facets, matches: [...matches].sort(compareRows).map((r) => r.studyUid) };
}

function asRecord(counts: readonly { value: string; count: number }[]): Record<string, number> {
  return Object.fromEntries(counts.map((c) => [c.value, c.count]));
}

function randomScope(r: () => number): ProjectScope {
  return r() < 0.4 ? 'all' : new Set(VOCAB.project.filter(() => r() < 0.5));
}

describe('facet counting matches a brute-force count', () => {
  const SEEDS = 150;
  it(`on ${SEEDS} seeds of random studies and searches (each facet without its own filter)`, () => {
    let checkedQueries = 0;
    let nonEmpty = 0;
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const r = rng(seed);
      const rows = Array.from({ length: Math.floor(r() * 400) }, () => randomRow(r));
      const snapshot = buildSnapshot(rows);
      for (let q = 0; q < 8; q += 1) {
        const filters = randomFilters(r);
        const scope = randomScope(r);
        const expected = bruteForce(rows, filters, scope);
        const actual = search(snapshot, filters, { scope, limit: 0 });
        expect({ seed, q, total: actual.total }).toEqual({ seed, q, total: expected.total });
        for (const facet of FACETS) {
          expect({ seed, q, facet, counts: asRecord(actual.facets[facet]) }).toEqual({ seed, q, facet, counts: expected.facets[facet] });
        }
        expect(matchingRows(snapshot, filters, scope).length).toBe(expected.total);
        checkedQueries += 1;
        if (expected.total > 0) nonEmpty += 1;
      }
    }
    // The random searches are not all trivially empty (a test that cannot fail proves nothing).
    expect(nonEmpty).toBeGreaterThan(checkedQueries / 4);
  });

  it('pages through every match in publication order, with no study twice and none missed', () => {
    for (let seed = 1000; seed < 1040; seed += 1) {
      const r = rng(seed);
      const rows = Array.from({ length: 50 + Math.floor(r() * 300) }, () => randomRow(r));
      const snapshot = buildSnapshot(rows);
      const filters = randomFilters(r);
      const scope = randomScope(r);
      const limit = 1 + Math.floor(r() * 25);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = search(snapshot, filters, { scope, limit, ...(cursor ? { cursor } : {}) });
        expect(page.studies.length).toBeLessThanOrEqual(limit);
        seen.push(...page.studies.map((s) => s.studyUid));
        cursor = page.cursor;
        pages += 1;
      } while (cursor && pages < 1000);
      expect({ seed, seen }).toEqual({ seed, seen: bruteForce(rows, filters, scope).matches });
    }
  });
});

describe('snapshot encoding', () => {
  it('decodes to the rows that were encoded (UIDs in both forms, sets, ages, years, descriptions)', () => {
    const r = rng(7);
    const rows = Array.from({ length: 500 }, () => randomRow(r));
    const decoded = snapshotRows(decodeSnapshot(encodeSnapshot(buildSnapshot(rows))));
    const normalize = (row: StudyRow) => ({
      ...row,
      modalities: [...new Set(row.modalities)].sort(),
      bodyParts: [...new Set(row.bodyParts)].sort(),
      manufacturers: [...new Set(row.manufacturers)].sort(),
      viewPositions: [...new Set(row.viewPositions)].sort(),
      sliceThicknessBands: [...new Set(row.sliceThicknessBands)].sort(),
      ...(row.conditions ? { conditions: [...new Set(row.conditions)].sort() } : {}),
    });
    expect(decoded.map(normalize)).toEqual([...rows].sort(compareRows).map(normalize));
  });

  it('gives the same answers after a round trip through the stored form', () => {
    const r = rng(8);
    const rows = Array.from({ length: 300 }, () => randomRow(r));
    const snapshot = buildSnapshot(rows);
    const stored = decodeSnapshot(encodeSnapshot(snapshot));
    for (let q = 0; q < 20; q += 1) {
      const filters = randomFilters(r);
      expect(search(stored, filters, { scope: 'all', limit: 10 })).toEqual(search(snapshot, filters, { scope: 'all', limit: 10 }));
    }
  });

  it('rejects bytes that are not a snapshot', () => {
    expect(() => decodeSnapshot(new Uint8Array([1, 2, 3]))).toThrow(/gzip/);
  });
});

describe('mergeRows (incremental rebuild)', () => {
  it('replaces a re-indexed study, adds new ones, and never moves a study to a later release', () => {
    const r = rng(9);
    const a = { ...randomRow(r), firstRelease: 2 };
    const b = randomRow(r);
    const merged = mergeRows(
      [a, b],
      [
        { ...a, firstRelease: undefined, modalities: ['CT', 'PT'] },
        { ...b, studyUid: '2.25.42' },
      ],
    );
    expect(merged).toHaveLength(3);
    expect(merged.find((m) => m.studyUid === a.studyUid)).toMatchObject({ firstRelease: 2, modalities: ['CT', 'PT'] });
  });
});

describe('visibility', () => {
  it('counts nothing of a project outside the scope, even when the caller filters on it', () => {
    const r = rng(11);
    const rows = Array.from({ length: 200 }, () => ({ ...randomRow(r), project: pick(r, ['open-a', 'secret']) }));
    const result = search(buildSnapshot(rows), { facets: { project: ['secret'] } }, { scope: new Set(['open-a']), limit: 50 });
    expect(result.total).toBe(0);
    expect(result.studies).toEqual([]);
    expect(result.facets.project.map((c) => c.value)).toEqual(['open-a']);
  });
});
