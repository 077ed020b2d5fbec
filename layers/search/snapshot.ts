/**
 * The search snapshot: every published study as typed-array columns, one entry
 * per study, in page order (newest publication first, then study UID).
 *
 * - Each facet is one code column. A code stands for the SET of values a study
 *   has (dictionary encoding of value sets), so a multi-valued facet such as
 *   modality (CT+PT) still costs one byte per study; `members[code]` lists the
 *   value indices of that set. Counting counts codes, then rolls codes up to values.
 * - The age-band facet's codes are the ages themselves (0..89, 90 = unknown), so
 *   the age range filter and the band facet share one column.
 * - The release facet's code is the study's first release (0 = not released yet):
 *   a study is in every release from that one on.
 * - Study UIDs are hilum's remapped `2.25.<128-bit>` form: 16 bytes each; any
 *   other form is kept in a small exception map.
 * At 1,000,000 studies this is about 35 MB (see docs/catalog.md).
 */
import { AGE_BANDS, FACETS, FacetName, MAX_AGE, SET_FACETS, SET_FACET_FIELD, StudyRow, UNKNOWN, ageBand } from './model';

export type CodeArray = Uint8Array | Uint16Array | Uint32Array;

export interface FacetColumn {
  readonly codes: CodeArray;
  /** Facet value labels, indexed by value index. */
  readonly values: readonly string[];
  /** For each code, the value indices it stands for. */
  readonly members: readonly (readonly number[])[];
}

export interface Snapshot {
  readonly count: number;
  readonly latestRelease: number;
  readonly facets: Readonly<Record<FacetName, FacetColumn>>;
  /** Year code per study: 0 unknown, else index + 1 into `years`. */
  readonly yearCodes: CodeArray;
  readonly years: readonly number[];
  /** Description code per study: 0 none, else index + 1 into `descriptions` (sorted by lower case). */
  readonly descriptionCodes: CodeArray;
  readonly descriptions: readonly string[];
  /** Publication time, seconds since the epoch. */
  readonly publishedSec: Uint32Array;
  readonly uidBytes: Uint8Array;
  readonly uidExceptions: ReadonlyMap<number, string>;
}

export const AGE_UNKNOWN_CODE = MAX_AGE + 1;
const UID_ROOT = '2.25.';
const UID_LIMIT = 1n << 128n;

/** Builds a snapshot from rows (any order). */
export function buildSnapshot(input: readonly StudyRow[]): Snapshot {
  const rows = sortRows(input);
  const count = rows.length;
  const latestRelease = rows.reduce((max, r) => Math.max(max, r.firstRelease ?? 0), 0);

  const facets = {} as Record<FacetName, FacetColumn>;
  for (const facet of SET_FACETS) facets[facet] = encodeSetFacet(rows, SET_FACET_FIELD[facet]);
  facets.ageBand = ageColumn(rows);
  facets.release = releaseColumn(rows, latestRelease);

  const years = [...new Set(rows.map((r) => r.studyYear).filter((y): y is number => y !== undefined))].sort((a, b) => a - b);
  const yearIndex = new Map(years.map((y, i) => [y, i + 1]));
  const yearCodes = codeArray(years.length + 1, count);
  rows.forEach((r, i) => {
    yearCodes[i] = r.studyYear === undefined ? 0 : yearIndex.get(r.studyYear)!;
  });

  const descriptions = [...new Set(rows.map((r) => r.description).filter((d): d is string => !!d))].sort(
    (a, b) => compareText(a.toLowerCase(), b.toLowerCase()) || compareText(a, b),
  );
  const descriptionIndex = new Map(descriptions.map((d, i) => [d, i + 1]));
  const descriptionCodes = codeArray(descriptions.length + 1, count);
  rows.forEach((r, i) => {
    descriptionCodes[i] = r.description ? descriptionIndex.get(r.description)! : 0;
  });

  const publishedSec = new Uint32Array(count);
  rows.forEach((r, i) => {
    publishedSec[i] = Math.floor(Date.parse(r.publishedAt) / 1000);
  });

  const uidBytes = new Uint8Array(count * 16);
  const uidExceptions = new Map<number, string>();
  rows.forEach((r, i) => {
    if (!packUid(r.studyUid, uidBytes, i)) uidExceptions.set(i, r.studyUid);
  });

  return { count, latestRelease, facets, yearCodes, years, descriptionCodes, descriptions, publishedSec, uidBytes, uidExceptions };
}

/** Sorts into page order, parsing each publication time once. */
function sortRows(input: readonly StudyRow[]): StudyRow[] {
  const seconds = input.map((r) => Math.floor(Date.parse(r.publishedAt) / 1000));
  const order = input.map((_r, i) => i);
  order.sort((a, b) => seconds[b]! - seconds[a]! || compareText(input[a]!.studyUid, input[b]!.studyUid));
  return order.map((i) => input[i]!);
}

/** Page order: newest publication first, then study UID. */
export function compareRows(a: StudyRow, b: StudyRow): number {
  const ta = Math.floor(Date.parse(a.publishedAt) / 1000);
  const tb = Math.floor(Date.parse(b.publishedAt) / 1000);
  return tb - ta || compareText(a.studyUid, b.studyUid);
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function studyUidAt(snapshot: Snapshot, row: number): string {
  const exception = snapshot.uidExceptions.get(row);
  if (exception !== undefined) return exception;
  let value = 0n;
  for (let b = 0; b < 16; b += 1) value = (value << 8n) | BigInt(snapshot.uidBytes[row * 16 + b]!);
  return `${UID_ROOT}${value.toString(10)}`;
}

/** Values of a facet for one row, by label (the code's set, or `unknown`). */
export function facetValuesAt(snapshot: Snapshot, facet: FacetName, row: number): string[] {
  const column = snapshot.facets[facet];
  return column.members[column.codes[row]!]!.map((v) => column.values[v]!);
}

/** Decodes every row back (the incremental rebuild merges new studies into these). */
export function snapshotRows(snapshot: Snapshot): StudyRow[] {
  const rows: StudyRow[] = [];
  const set = (facet: FacetName, row: number) => facetValuesAt(snapshot, facet, row).filter((v) => v !== UNKNOWN);
  const single = (facet: FacetName, row: number) => set(facet, row)[0];
  for (let i = 0; i < snapshot.count; i += 1) {
    const ageCode = snapshot.facets.ageBand.codes[i]!;
    const yearCode = snapshot.yearCodes[i]!;
    const descriptionCode = snapshot.descriptionCodes[i]!;
    const firstRelease = snapshot.facets.release.codes[i]!;
    rows.push(
      compact({
        studyUid: studyUidAt(snapshot, i),
        project: single('project', i)!,
        site: single('site', i)!,
        firstRelease: firstRelease || undefined,
        modalities: set('modality', i),
        bodyParts: set('bodyPart', i),
        manufacturers: set('manufacturer', i),
        viewPositions: set('viewPosition', i),
        sliceThicknessBands: set('sliceThickness', i),
        sex: single('sex', i),
        age: ageCode === AGE_UNKNOWN_CODE ? undefined : ageCode,
        race: single('race', i),
        ethnicity: single('ethnicity', i),
        covid19: single('covid19', i),
        conditions: nonEmpty(set('condition', i)),
        studyYear: yearCode ? snapshot.years[yearCode - 1] : undefined,
        description: descriptionCode ? snapshot.descriptions[descriptionCode - 1] : undefined,
        publishedAt: new Date(snapshot.publishedSec[i]! * 1000).toISOString(),
      }),
    );
  }
  return rows;
}

/** Facets added after the first rows were stored are left out of a row that has no value for them. */
function nonEmpty(values: string[]): string[] | undefined {
  return values.length ? values : undefined;
}

/** Bytes held by the columns (the dictionaries are small and counted roughly). */
export function snapshotBytes(snapshot: Snapshot): number {
  let bytes =
    snapshot.publishedSec.byteLength + snapshot.uidBytes.byteLength + snapshot.yearCodes.byteLength + snapshot.descriptionCodes.byteLength;
  for (const facet of FACETS) {
    const column = snapshot.facets[facet];
    bytes +=
      column.codes.byteLength +
      column.values.reduce((n, v) => n + 2 * v.length + 16, 0) +
      column.members.reduce((n, m) => n + 8 * m.length + 16, 0);
  }
  bytes += snapshot.descriptions.reduce((n, d) => n + 2 * d.length + 16, 0);
  bytes += [...snapshot.uidExceptions.values()].reduce((n, u) => n + 2 * u.length + 32, 0);
  return bytes;
}

/** Smallest unsigned array whose elements hold `distinct - 1`. */
export function codeArray(distinct: number, length: number): CodeArray {
  if (distinct <= 0x100) return new Uint8Array(length);
  if (distinct <= 0x10000) return new Uint16Array(length);
  return new Uint32Array(length);
}

function encodeSetFacet(rows: readonly StudyRow[], field: (r: StudyRow) => readonly string[]): FacetColumn {
  const valueSet = new Set<string>();
  for (const row of rows) for (const v of field(row)) valueSet.add(v);
  const values = [...valueSet].sort(compareText);
  const unknownIndex = values.includes(UNKNOWN) ? values.indexOf(UNKNOWN) : values.push(UNKNOWN) - 1;
  const valueIndex = new Map(values.map((v, i) => [v, i]));
  const comboIndex = new Map<string, number>();
  const members: number[][] = [];
  const codes: number[] = new Array<number>(rows.length);
  rows.forEach((row, i) => {
    const set = [...new Set(field(row).map((v) => valueIndex.get(v)!))].sort((a, b) => a - b);
    if (set.length === 0) set.push(unknownIndex);
    const key = set.join(',');
    let code = comboIndex.get(key);
    if (code === undefined) {
      code = members.push(set) - 1;
      comboIndex.set(key, code);
    }
    codes[i] = code;
  });
  const array = codeArray(members.length, rows.length);
  array.set(codes);
  return { codes: array, values, members };
}

function ageColumn(rows: readonly StudyRow[]): FacetColumn {
  const codes = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    codes[i] = r.age === undefined ? AGE_UNKNOWN_CODE : Math.max(0, Math.min(MAX_AGE, Math.floor(r.age)));
  });
  return { codes, ...ageDictionary() };
}

/** Age codes 0..89 map to their CDC band, code 90 to `unknown`. */
export function ageDictionary(): Pick<FacetColumn, 'values' | 'members'> {
  const values = [...AGE_BANDS.map((b) => b.label), UNKNOWN];
  const members = Array.from({ length: AGE_UNKNOWN_CODE + 1 }, (_, code) => [
    code === AGE_UNKNOWN_CODE ? values.length - 1 : values.indexOf(ageBand(code)),
  ]);
  return { values, members };
}

function releaseColumn(rows: readonly StudyRow[], latestRelease: number): FacetColumn {
  const codes = codeArray(latestRelease + 1, rows.length);
  rows.forEach((r, i) => {
    codes[i] = r.firstRelease ?? 0;
  });
  return { codes, ...releaseDictionary(latestRelease) };
}

/** Release values "1".."latest"; code c (first release c) is a member of releases c..latest. */
export function releaseDictionary(latestRelease: number): Pick<FacetColumn, 'values' | 'members'> {
  const values = Array.from({ length: latestRelease }, (_, i) => String(i + 1));
  const members = Array.from({ length: latestRelease + 1 }, (_, code) =>
    code === 0 ? [] : values.map((_v, i) => i).filter((i) => i + 1 >= code),
  );
  return { values, members };
}

function packUid(uid: string, out: Uint8Array, row: number): boolean {
  if (!uid.startsWith(UID_ROOT)) return false;
  const digits = uid.slice(UID_ROOT.length);
  if (!/^(0|[1-9][0-9]{0,38})$/.test(digits)) return false;
  let value = BigInt(digits);
  if (value >= UID_LIMIT) return false;
  for (let b = 15; b >= 0; b -= 1) {
    out[row * 16 + b] = Number(value & 0xffn);
    value >>= 8n;
  }
  return true;
}

/** Drops undefined fields, so decoded rows compare equal to the rows that were encoded. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
