/**
 * QIDO-RS matching of one query key against the values of one attribute (PS3.18 8.3.4.1,
 * PS3.4 C.2.2.2): universal, single value, list (`,` or `\`), wildcard (`*`, `?`), UID list,
 * date and time range matching. Pure; the value of a condition never reaches an error message.
 */

/** How a key's value is read: by the attribute's VR, with StudyDate and StudyTime as ranges. */
export type MatchKind = 'uid' | 'text' | 'code' | 'number' | 'date' | 'time';

export type Condition =
  | { readonly kind: 'universal' }
  | { readonly kind: 'uids'; readonly uids: ReadonlySet<string> }
  | { readonly kind: 'patterns'; readonly patterns: readonly string[]; readonly ignoreCase: boolean }
  | { readonly kind: 'numbers'; readonly numbers: readonly number[] }
  | { readonly kind: 'dates'; readonly ranges: readonly Range[] }
  | { readonly kind: 'times'; readonly ranges: readonly Range[] };

/** Inclusive bounds as comparable strings (YYYYMMDD, or HHMMSS.FFFFFF); open when absent. */
export interface Range {
  readonly from?: string;
  readonly to?: string;
}

export class InvalidMatchValue extends Error {
  override readonly name = 'InvalidMatchValue';
}

/** At most this many values in one list: a key is a filter, not a bulk lookup. */
export const MAX_LIST_VALUES = 200;

/**
 * Reads a key's value. `,` and `\` separate list values of UIDs, codes, numbers, dates and
 * times; free text (names, descriptions) may hold a comma, so there only `\` separates values.
 * An empty value or `*` alone is universal matching: every record matches, and the attribute is
 * returned.
 */
export function parseCondition(kind: MatchKind, raw: string, options: { fuzzy?: boolean } = {}): Condition {
  const value = raw.trim();
  if (value === '' || value === '*') return { kind: 'universal' };
  const values = value
    .split(kind === 'text' ? /\\/ : /[\\,]/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (values.length > MAX_LIST_VALUES) throw new InvalidMatchValue(`a list may hold at most ${MAX_LIST_VALUES} values`);
  switch (kind) {
    case 'uid':
      if (!values.every((v) => /^[0-9.]{1,64}$/.test(v))) throw new InvalidMatchValue('a UID list holds digits and dots only');
      return { kind: 'uids', uids: new Set(values) };
    case 'number':
      if (!values.every((v) => /^[+-]?\d{1,12}$/.test(v)))
        throw new InvalidMatchValue('the value must be a whole number or a list of them');
      return { kind: 'numbers', numbers: values.map(Number) };
    case 'date':
      return { kind: 'dates', ranges: values.map(dateRange) };
    case 'time':
      return { kind: 'times', ranges: values.map(timeRange) };
    case 'code':
      return { kind: 'patterns', patterns: values, ignoreCase: false };
    case 'text':
      // Person names and descriptions: fuzzymatching=true makes them case-insensitive.
      return { kind: 'patterns', patterns: values, ignoreCase: options.fuzzy === true };
  }
}

/**
 * Whether an attribute with these values matches. A record without a value matches only
 * universal matching; a multi-valued attribute (ModalitiesInStudy) matches when one of its
 * values does.
 */
export function matches(condition: Condition, values: readonly (string | number)[]): boolean {
  if (condition.kind === 'universal') return true;
  return values.some((value) => matchesOne(condition, value));
}

function matchesOne(condition: Exclude<Condition, { kind: 'universal' }>, value: string | number): boolean {
  switch (condition.kind) {
    case 'uids':
      return condition.uids.has(String(value));
    case 'numbers':
      return typeof value === 'number' && condition.numbers.includes(value);
    case 'patterns':
      return condition.patterns.some((p) => wildcardMatch(p, String(value), condition.ignoreCase));
    case 'dates':
    case 'times':
      return condition.ranges.some((r) => inRange(r, String(value)));
  }
}

/** Whether a whole year (YYYY) overlaps one of the date ranges: the only test a year can answer. */
export function yearOverlaps(condition: Condition, year: number | undefined): boolean {
  if (condition.kind === 'universal') return true;
  if (condition.kind !== 'dates' || year === undefined) return false;
  const first = `${String(year).padStart(4, '0')}0101`;
  const last = `${String(year).padStart(4, '0')}1231`;
  return condition.ranges.some((r) => (r.from === undefined || r.from <= last) && (r.to === undefined || r.to >= first));
}

function inRange(range: Range, value: string): boolean {
  return (range.from === undefined || value >= range.from) && (range.to === undefined || value <= range.to);
}

/** `YYYYMMDD`, `YYYYMMDD-YYYYMMDD`, `-YYYYMMDD` or `YYYYMMDD-` (PS3.4 C.2.2.2.5). */
function dateRange(value: string): Range {
  const [from, to, extra] = value.split('-');
  if (extra !== undefined) throw new InvalidMatchValue('a date range is YYYYMMDD-YYYYMMDD');
  const date = (v: string | undefined): string | undefined => {
    if (v === undefined || v === '') return undefined;
    if (!/^\d{8}$/.test(v) || !validDate(v)) throw new InvalidMatchValue('a date is YYYYMMDD');
    return v;
  };
  if (to === undefined) {
    const single = date(from);
    return { from: single, to: single };
  }
  const range = { from: date(from), to: date(to) };
  if (range.from === undefined && range.to === undefined) throw new InvalidMatchValue('a date range needs at least one bound');
  if (range.from !== undefined && range.to !== undefined && range.from > range.to)
    throw new InvalidMatchValue('a date range ends before it starts');
  return range;
}

function validDate(v: string): boolean {
  const month = Number(v.slice(4, 6));
  const day = Number(v.slice(6, 8));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/**
 * `HH[MM[SS[.F{1,6}]]]` values and ranges of them. A partial time stands for the whole span it
 * names: as a lower bound it starts that span, as an upper bound (or a single value) it ends it,
 * so `0900-10` matches 09:00:00 to 10:59:59.999999.
 */
function timeRange(value: string): Range {
  const [from, to, extra] = value.split('-');
  if (extra !== undefined) throw new InvalidMatchValue('a time range is HHMMSS-HHMMSS');
  if (to === undefined) return { from: timeBound(from, 'start'), to: timeBound(from, 'end') };
  const range = { from: timeBound(from, 'start'), to: timeBound(to, 'end') };
  if (range.from === undefined && range.to === undefined) throw new InvalidMatchValue('a time range needs at least one bound');
  if (range.from !== undefined && range.to !== undefined && range.from > range.to)
    throw new InvalidMatchValue('a time range ends before it starts');
  return range;
}

function timeBound(v: string | undefined, end: 'start' | 'end'): string | undefined {
  if (v === undefined || v === '') return undefined;
  const normalized = normalizeTime(v, end);
  if (normalized === undefined) throw new InvalidMatchValue('a time is HHMMSS.FFFFFF, to the hour at least');
  return normalized;
}

/**
 * A TM value as `HHMMSS.FFFFFF`, the components it leaves out filled from the start or the end
 * of the span it names; undefined when it is not a time. Also the form stored values take, so
 * bounds and values compare as strings.
 */
export function normalizeTime(value: string, end: 'start' | 'end' = 'start'): string | undefined {
  const m = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [, hh, mm, ss, frac] = m;
  if (Number(hh) > 23 || Number(mm ?? 0) > 59 || Number(ss ?? 0) > 60) return undefined;
  const fill = end === 'start' ? '0' : '9';
  const minutes = mm ?? (end === 'start' ? '00' : '59');
  const seconds = ss ?? (end === 'start' ? '00' : '59');
  const fraction = (frac ?? '').padEnd(6, fill);
  return `${hh}${minutes}${seconds}.${fraction}`;
}

/**
 * `*` matches any run of characters, `?` any one character, everything else itself (PS3.4
 * C.2.2.2.4). Linear in text times pattern (the greedy star walk, no regular expression), so a
 * pattern of many stars cannot make a search backtrack for long.
 */
export function wildcardMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? [...pattern.toLowerCase()] : [...pattern];
  const t = ignoreCase ? [...text.toLowerCase()] : [...text];
  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi += 1;
      ti += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi;
      resume = ti;
      pi += 1;
    } else if (star >= 0) {
      pi = star + 1;
      resume += 1;
      ti = resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return pi === p.length;
}
