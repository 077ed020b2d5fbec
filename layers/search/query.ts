/**
 * Faceted search over a snapshot in one pass.
 *
 * Every filter becomes a lookup table over a column's codes (pass / fail), so a
 * study is tested with one array read per filter. Filters are of two kinds:
 * - hard: visibility (the caller's projects), age and year ranges, description
 *   prefix. A study failing one is invisible to every count.
 * - facet: OR within a facet, AND across facets. Faceted UIs show each facet's
 *   counts with that facet's OWN filter left out, so the pass counts how many
 *   facet filters a study misses: none -> it counts in every facet and in the
 *   total; exactly one (facet f) -> it counts in facet f only; two or more -> nowhere.
 * Facet filters are tested most selective first, so most studies stop after two misses.
 */
import { decodeCursor, encodeCursor, firstRowAfter } from './cursor';
import { FACETS, FacetCount, FacetName, ProjectScope, SearchFilters, SearchResult, StudyView, UNKNOWN } from './model';
import { CodeArray, FacetColumn, Snapshot, facetValuesAt, studyUidAt } from './snapshot';

interface Filter {
  readonly codes: CodeArray;
  readonly lut: Uint8Array;
  readonly facetIndex: number;
}

export interface SearchOptions {
  /** Projects whose studies count (totals and facets). */
  readonly scope: ProjectScope;
  /** Projects whose studies may be listed in the page (default: `scope`); a counts-only project is in `scope` only. */
  readonly rowScope?: ProjectScope;
  /** Rows withheld from the caller whatever their project (a sequestered case's studies: withheld-rows.ts), 1 per withheld row. */
  readonly withheld?: Uint8Array;
  /** Page size (0: counts only). */
  readonly limit: number;
  readonly cursor?: string;
}

const ORDINAL: ReadonlySet<FacetName> = new Set(['ageBand', 'release', 'sliceThickness']);

export function search(snapshot: Snapshot, filters: SearchFilters, options: SearchOptions): SearchResult {
  const hard = hardFilters(snapshot, filters, options.scope);
  const soft = facetFilters(snapshot, filters);
  const columns = FACETS.map((f) => snapshot.facets[f].codes);
  const codeCounts = FACETS.map((f) => new Float64Array(snapshot.facets[f].members.length));
  const start = options.cursor ? firstRowAfter(snapshot, decodeCursor(options.cursor)) : 0;
  const rowScope = options.rowScope;
  const withheld = options.withheld;
  const listable = rowScope && rowScope !== 'all' ? lutOver(snapshot.facets.project, (value) => rowScope.has(value)) : undefined;
  const projectCodes = snapshot.facets.project.codes;
  const page: number[] = [];
  const want = options.limit + 1; // one more than the page tells whether there is a next page
  let total = 0;

  const n = snapshot.count;
  const H = hard.length;
  const S = soft.length;
  const F = columns.length;
  rows: for (let i = 0; i < n; i += 1) {
    if (withheld && withheld[i] === 1) continue;
    for (let h = 0; h < H; h += 1) {
      const f = hard[h]!;
      if (f.lut[f.codes[i]!] === 0) continue rows;
    }
    let misses = 0;
    let missed = -1;
    for (let s = 0; s < S; s += 1) {
      const f = soft[s]!;
      if (f.lut[f.codes[i]!] === 0) {
        misses += 1;
        if (misses === 2) continue rows;
        missed = s;
      }
    }
    if (misses === 0) {
      total += 1;
      for (let c = 0; c < F; c += 1) codeCounts[c]![columns[c]![i]!]! += 1;
      if (i >= start && page.length < want && (!listable || listable[projectCodes[i]!] === 1)) page.push(i);
    } else {
      const f = soft[missed]!;
      codeCounts[f.facetIndex]![f.codes[i]!]! += 1;
    }
  }

  const facets = {} as Record<FacetName, FacetCount[]>;
  FACETS.forEach((facet, index) => {
    facets[facet] = rollUp(facet, snapshot.facets[facet], codeCounts[index]!);
  });
  const shown = page.slice(0, options.limit);
  const last = shown[shown.length - 1];
  return {
    total,
    facets,
    studies: shown.map((row) => studyView(snapshot, row)),
    ...(page.length > options.limit && last !== undefined
      ? { cursor: encodeCursor({ sec: snapshot.publishedSec[last]!, uid: studyUidAt(snapshot, last) }) }
      : {}),
  };
}

/** Every row that passes all filters, in page order (cohort membership). */
export function matchingRows(snapshot: Snapshot, filters: SearchFilters, scope: ProjectScope, withheld?: Uint8Array): number[] {
  const all = [...hardFilters(snapshot, filters, scope), ...facetFilters(snapshot, filters)];
  const out: number[] = [];
  rows: for (let i = 0; i < snapshot.count; i += 1) {
    if (withheld && withheld[i] === 1) continue;
    for (const f of all) if (f.lut[f.codes[i]!] === 0) continue rows;
    out.push(i);
  }
  return out;
}

export function studyView(snapshot: Snapshot, row: number): StudyView {
  const values = (facet: FacetName) => facetValuesAt(snapshot, facet, row).filter((v) => v !== UNKNOWN);
  const one = (facet: FacetName) => facetValuesAt(snapshot, facet, row)[0] ?? UNKNOWN;
  const release = snapshot.facets.release.codes[row]!;
  const yearCode = snapshot.yearCodes[row]!;
  const descriptionCode = snapshot.descriptionCodes[row]!;
  return {
    studyUid: studyUidAt(snapshot, row),
    project: one('project'),
    site: one('site'),
    ...(release ? { release } : {}),
    modalities: values('modality'),
    bodyParts: values('bodyPart'),
    sex: one('sex'),
    ageBand: one('ageBand'),
    race: one('race'),
    ethnicity: one('ethnicity'),
    covid19: one('covid19'),
    manufacturers: values('manufacturer'),
    ...(yearCode ? { studyYear: snapshot.years[yearCode - 1]! } : {}),
    ...(descriptionCode ? { description: snapshot.descriptions[descriptionCode - 1]! } : {}),
    publishedAt: new Date(snapshot.publishedSec[row]! * 1000).toISOString(),
  };
}

function hardFilters(snapshot: Snapshot, filters: SearchFilters, scope: ProjectScope): Filter[] {
  const out: Filter[] = [];
  if (scope !== 'all') {
    const project = snapshot.facets.project;
    out.push({ codes: project.codes, lut: lutOver(project, (value) => scope.has(value)), facetIndex: -1 });
  }
  const age = filters.age;
  if (age && (age.min !== undefined || age.max !== undefined)) {
    const column = snapshot.facets.ageBand;
    // Codes are ages (0..89); the unknown code (90) never satisfies a range.
    const lut = new Uint8Array(column.members.length);
    for (let code = 0; code < lut.length - 1; code += 1) lut[code] = inRange(code, age.min, age.max) ? 1 : 0;
    out.push({ codes: column.codes, lut, facetIndex: -1 });
  }
  const year = filters.year;
  if (year && (year.min !== undefined || year.max !== undefined)) {
    const lut = new Uint8Array(snapshot.years.length + 1);
    snapshot.years.forEach((y, i) => {
      lut[i + 1] = inRange(y, year.min, year.max) ? 1 : 0;
    });
    out.push({ codes: snapshot.yearCodes, lut, facetIndex: -1 });
  }
  const prefix = filters.descriptionPrefix?.trim().toLowerCase();
  if (prefix) {
    const lut = new Uint8Array(snapshot.descriptions.length + 1);
    snapshot.descriptions.forEach((d, i) => {
      lut[i + 1] = d.toLowerCase().startsWith(prefix) ? 1 : 0;
    });
    out.push({ codes: snapshot.descriptionCodes, lut, facetIndex: -1 });
  }
  return sortBySelectivity(out);
}

function facetFilters(snapshot: Snapshot, filters: SearchFilters): Filter[] {
  const out: Filter[] = [];
  FACETS.forEach((facet, facetIndex) => {
    const selected = filters.facets?.[facet];
    if (!selected || selected.length === 0) return;
    const wanted = new Set(selected);
    const column = snapshot.facets[facet];
    out.push({ codes: column.codes, lut: lutOver(column, (value) => wanted.has(value)), facetIndex });
  });
  return sortBySelectivity(out);
}

/** A code passes when any value of its set passes. */
function lutOver(column: FacetColumn, passes: (value: string) => boolean): Uint8Array {
  const valuePasses = column.values.map(passes);
  const lut = new Uint8Array(column.members.length);
  column.members.forEach((members, code) => {
    lut[code] = members.some((v) => valuePasses[v]) ? 1 : 0;
  });
  return lut;
}

/** Fewest passing studies first: a study is rejected (or stops at two misses) sooner. */
function sortBySelectivity(filters: Filter[]): Filter[] {
  const passRate = new Map(
    filters.map((f) => {
      const frequencies = codeFrequencies(f.codes, f.lut.length);
      let pass = 0;
      for (let c = 0; c < f.lut.length; c += 1) if (f.lut[c]) pass += frequencies[c]!;
      return [f, pass] as const;
    }),
  );
  return filters.sort((a, b) => passRate.get(a)! - passRate.get(b)!);
}

const frequencyCache = new WeakMap<CodeArray, Float64Array>();
function codeFrequencies(codes: CodeArray, size: number): Float64Array {
  let cached = frequencyCache.get(codes);
  if (!cached || cached.length < size) {
    cached = new Float64Array(size);
    for (let i = 0; i < codes.length; i += 1) cached[codes[i]!]! += 1;
    frequencyCache.set(codes, cached);
  }
  return cached;
}

function rollUp(facet: FacetName, column: FacetColumn, codeCounts: Float64Array): FacetCount[] {
  const valueCounts = new Float64Array(column.values.length);
  column.members.forEach((members, code) => {
    const n = codeCounts[code]!;
    if (n) for (const v of members) valueCounts[v]! += n;
  });
  const counts = column.values.map((value, i) => ({ value, count: valueCounts[i]! })).filter((c) => c.count > 0);
  if (facet === 'release') return counts.reverse(); // newest release first
  if (ORDINAL.has(facet)) return counts;
  return counts.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

function inRange(value: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}
