/**
 * Identifiers recognised by their form rather than their value: dates written
 * out (ISO, numeric with `/` `.` `-` in either day/month order, English month
 * names, "3rd of March 2020"), times of day, phone numbers, e-mail addresses,
 * MRN- and accession-like numbers and street addresses. The text cleaner
 * shifts or removes what this finds; the verifier looks for what it left.
 *
 * What research needs must not look like any of these: body parts,
 * laterality, contrast, units and sizes ("5 mm", "T2", "L5-S1", "2048x2048",
 * "b1000", "CHEST 2V"). So a number is an ID only with six digits or more in
 * one run (or five after up to four letters, "E12345"), never as a decimal
 * fraction, and a time needs a colon and two-digit minutes or am/pm.
 */

export type PatternKind = 'date' | 'time' | 'phone' | 'email' | 'id' | 'address';

export interface FoundDate {
  year: number;
  month: number;
  day: number;
}

export interface Found {
  kind: PatternKind;
  start: number;
  end: number;
  /** For a date that names one day unambiguously (a four-digit year, day and month told apart): the day it names. */
  date?: FoundDate;
  /** For such a date: rewrites it, in the same written form, as another day. */
  rewrite?: (to: FoundDate) => string;
  /** For a numeric date whose day/month order is uncertain (04/03/2020): the days it may name (one when day = month). */
  candidates?: FoundDate[];
  /** Day and month written as numbers in either order (13/03/2020): a shifted day that would read both ways is removed instead. */
  numericOrder?: true;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_NAME =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const ORDINAL = '(?:st|nd|rd|th)';
// Not inside a word or a number, on either side.
const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
// A number is not cut out of a decimal ("0.625000") or a dotted UID.
const NB = '(?<![\\p{L}\\p{N}]|\\d[.,])';
const NE = '(?![\\p{L}\\p{N}]|[.,]\\d)';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function monthNumber(name: string): number {
  const lower = name.toLowerCase();
  return MONTHS.findIndex((m) => m.startsWith(lower.slice(0, 3))) + 1;
}

/** The month name as written: full or abbreviated (three letters, "Sept" keeps its four), in the same letter case. */
function monthAs(written: string, month: number): string {
  const full = MONTHS[month - 1] as string;
  const lower = written.toLowerCase();
  const name =
    lower === 'sept' ? (month === 9 ? 'sept' : full.slice(0, 3)) : written.length >= 4 || lower === 'may' ? full : full.slice(0, 3);
  if (written === written.toUpperCase()) return name.toUpperCase();
  if (written[0] === written[0]?.toUpperCase()) return (name[0] as string).toUpperCase() + name.slice(1);
  return name;
}

function ordinal(day: number, written: string): string {
  const suffix = day % 10 === 1 && day !== 11 ? 'st' : day % 10 === 2 && day !== 12 ? 'nd' : day % 10 === 3 && day !== 13 ? 'rd' : 'th';
  return written === written.toUpperCase() ? suffix.toUpperCase() : suffix;
}

type Groups = Record<string, [number, number] | undefined>;

/** Replaces the named groups of one match (their spans relative to the match) with new text, the rest kept. */
function replaceGroups(match: string, offset: number, groups: Groups, values: Record<string, string>): string {
  const spans = Object.entries(values)
    .map(([name, value]) => ({ span: groups[name], value }))
    .filter((s): s is { span: [number, number]; value: string } => s.span !== undefined)
    .sort((a, b) => a.span[0] - b.span[0]);
  let out = '';
  let at = 0;
  for (const { span, value } of spans) {
    out += match.slice(at, span[0] - offset) + value;
    at = span[1] - offset;
  }
  return out + match.slice(at);
}

interface Rule {
  kind: PatternKind;
  pattern: RegExp;
  /** For dates: the day the match names, and how to write another, or undefined when it is not one day for sure. */
  date?: (
    m: RegExpExecArray,
  ) =>
    { date: FoundDate; rewrite: (to: FoundDate) => string; numericOrder?: true } | { candidates: FoundDate[] } | undefined | 'not-a-date';
}

const numeric = (s: string | undefined): number => Number(s ?? 'NaN');

type DayResult = ReturnType<NonNullable<Rule['date']>>;
function numericOrder(day: DayResult): DayResult {
  return day && typeof day === 'object' && 'date' in day ? { ...day, numericOrder: true } : day;
}

/** Day, month and year groups of one match, validated, with a rewrite that keeps widths, separators and words. */
function dayOf(
  m: RegExpExecArray,
  year: number,
  month: number,
  day: number,
  names: { y: string; m: string; d: string; month?: 'name'; ordinal?: string; fixed?: true },
): ReturnType<NonNullable<Rule['date']>> {
  if (!validDay(year, month, day)) return 'not-a-date';
  const groups = (m.indices?.groups ?? {}) as Groups;
  const written = m.groups ?? {};
  const offset = m.index;
  // Zero-padded when the text pads ("03/13/2020"), not when it does not ("2020/3/14", "11 January").
  const padded = names.fixed === true || [written[names.m], written[names.d]].some((v) => v !== undefined && /^0\d/.test(v));
  const width = (name: string): number => (padded ? (written[name] ?? '').length : 1);
  return {
    date: { year, month, day },
    rewrite: (to) => {
      const values: Record<string, string> = {
        [names.y]: pad(to.year, 4),
        [names.m]: names.month ? monthAs(written[names.m] ?? '', to.month) : pad(to.month, width(names.m)),
        [names.d]: pad(to.day, width(names.d)),
      };
      if (names.ordinal && written[names.ordinal]) values[names.ordinal] = ordinal(to.day, written[names.ordinal] ?? '');
      return replaceGroups(m[0], offset, groups, values);
    },
  };
}

const RULES: readonly Rule[] = [
  // Starts only where a run of address characters starts: a search from every place of a long run is quadratic.
  { kind: 'email', pattern: /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu },
  // ISO and DICOM forms, year first: 2020-03-04, 2020/3/4, 2020.03.04, 20200304.
  {
    kind: 'date',
    pattern: new RegExp(
      `${NB}(?<y>(?:19|20)\\d\\d)(?:(?<s>[-/.])(?<m>\\d{1,2})\\k<s>(?<d>\\d{1,2})|(?<m2>\\d\\d)(?<d2>\\d\\d))${NE}`,
      'dgu',
    ),
    date: (m) => {
      const g = m.groups ?? {};
      const compact = g.m2 !== undefined;
      return dayOf(
        m,
        numeric(g.y),
        numeric(compact ? g.m2 : g.m),
        numeric(compact ? g.d2 : g.d),
        compact ? { y: 'y', m: 'm2', d: 'd2', fixed: true } : { y: 'y', m: 'm', d: 'd' },
      );
    },
  },
  // Numeric, day and month in either order: 04/03/2020, 4.3.2020, 03-04-20. One day only when the order is certain.
  {
    kind: 'date',
    pattern: new RegExp(`${NB}(?<a>\\d{1,2})(?<s>[-/.])(?<b>\\d{1,2})\\k<s>(?<y>(?:19|20)?\\d\\d)${NE}`, 'dgu'),
    date: (m) => {
      const g = m.groups ?? {};
      const a = numeric(g.a);
      const b = numeric(g.b);
      if ((g.y ?? '').length !== 4) return undefined; // "03-04-20": which century, and often which order, is a guess
      if (a > 12 && b <= 12) return numericOrder(dayOf(m, numeric(g.y), b, a, { y: 'y', m: 'b', d: 'a' }));
      if (b > 12 && a <= 12) return numericOrder(dayOf(m, numeric(g.y), a, b, { y: 'y', m: 'a', d: 'b' }));
      // a === b names one day, but a rewrite must know which place is the day: removed like the ambiguous ones.
      if (a > 12 || b > 12) return 'not-a-date';
      const year = numeric(g.y);
      const days =
        a === b
          ? [{ year, month: a, day: a }]
          : [
              { year, month: a, day: b },
              { year, month: b, day: a },
            ];
      return { candidates: days.filter((d) => validDay(d.year, d.month, d.day)) };
    },
  },
  // Day before the month name: "3 March 2020", "3rd of March, 2020", "03-MAR-2020", "3 Mar" (no year: removed).
  {
    kind: 'date',
    pattern: new RegExp(
      `${B}(?<d>\\d{1,2})(?<o>${ORDINAL})?(?:\\s+of)?[\\s.-]*(?<m>${MONTH_NAME})\\.?(?:[\\s,.-]+(?<y>(?:19|20)\\d\\d))?${E}`,
      'dgiu',
    ),
    date: (m) => {
      const g = m.groups ?? {};
      if (g.y === undefined) return validDay(2000, monthNumber(g.m ?? ''), numeric(g.d)) ? undefined : 'not-a-date';
      return dayOf(m, numeric(g.y), monthNumber(g.m ?? ''), numeric(g.d), { y: 'y', m: 'm', d: 'd', month: 'name', ordinal: 'o' });
    },
  },
  // Month name first: "March 3, 2020", "Mar 3rd 2020", "March 2020" (a month: removed).
  {
    kind: 'date',
    pattern: new RegExp(`${B}(?<m>${MONTH_NAME})\\.?(?:\\s+(?<d>\\d{1,2})(?<o>${ORDINAL})?)?,?\\s+(?<y>(?:19|20)\\d\\d)${E}`, 'dgiu'),
    date: (m) => {
      const g = m.groups ?? {};
      if (g.d === undefined) return undefined;
      return dayOf(m, numeric(g.y), monthNumber(g.m ?? ''), numeric(g.d), { y: 'y', m: 'm', d: 'd', month: 'name', ordinal: 'o' });
    },
  },
  {
    kind: 'time',
    pattern: new RegExp(
      `${NB}(?:[01]?\\d|2[0-3])(?::[0-5]\\d(?::[0-5]\\d(?:\\.\\d+)?)?(?:\\s?[ap]\\.?m\\.?)?|\\s?[ap]\\.?m\\.?)${E}`,
      'giu',
    ),
  },
  {
    kind: 'phone',
    pattern: new RegExp(`(?:\\+\\d{1,3}[\\s.-]?)?${B}(?:\\(\\d{2,5}\\)\\s?|\\d{2,5}[\\s.-])\\d{3,4}[\\s.-]\\d{3,4}${NE}`, 'gu'),
  },
  {
    kind: 'address',
    pattern: new RegExp(
      `${B}\\d{1,5}[a-z]?,?\\s+(?:[\\p{L}'.-]+\\s+){1,4}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr\\.|court|place|way|terrace|parkway|pkwy|highway|hwy|square)\\.?${E}|${B}[\\p{L}-]*(?:stra(?:ß|ss)e|str\\.|weg|gasse|platz|allee|rue|calle|via)\\s+\\d{1,4}[a-z]?${E}|${B}p\\.?\\s?o\\.?\\s+box\\s+\\d+${E}`,
      'giu',
    ),
  },
  // Six digits or more (groups of two or more joined by hyphens), or five after up to four letters: MRNs, accessions.
  { kind: 'id', pattern: new RegExp(`${NB}(?:\\p{L}{1,4}[-#]?)?\\d{2,}(?:-\\d{2,})*${NE}`, 'gu') },
];

const MIN_ID_DIGITS = 6;
/** After a letter prefix ("E12345", "ACC-12345") five digits are enough. */
const MIN_PREFIXED_ID_DIGITS = 5;

function digits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) n += 1;
  }
  return n;
}

/** Every rule but the e-mail one needs a digit, and that one an "@": most descriptions are answered without a regular expression. */
const DIGIT = /[0-9]/;

/**
 * Everything found, earliest first and never overlapping (at one place the
 * earlier rule wins: e-mail, dates, times, phones, addresses, IDs).
 */
export function findIdentifierPatterns(text: string): Found[] {
  const hasDigit = DIGIT.test(text);
  const hasAt = text.includes('@');
  if (!hasDigit && !hasAt) return [];
  const taken: Found[] = [];
  const overlaps = (start: number, end: number): boolean => taken.some((f) => start < f.end && f.start < end);
  for (const rule of RULES) {
    if (rule.kind === 'email' ? !hasAt : !hasDigit) continue;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(text); m !== null; m = rule.pattern.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (m[0].length === 0) {
        rule.pattern.lastIndex += 1;
        continue;
      }
      if (rule.kind === 'id' && digits(m[0]) < (/^\p{L}/u.test(m[0]) ? MIN_PREFIXED_ID_DIGITS : MIN_ID_DIGITS)) continue;
      if (overlaps(start, end)) continue;
      if (rule.date) {
        const day = rule.date(m);
        if (day === 'not-a-date') continue;
        if (day === undefined) taken.push({ kind: 'date', start, end });
        else if ('candidates' in day) taken.push({ kind: 'date', start, end, candidates: day.candidates });
        else
          taken.push({
            kind: 'date',
            start,
            end,
            date: day.date,
            rewrite: day.rewrite,
            ...(day.numericOrder && { numericOrder: true as const }),
          });
      } else taken.push({ kind: rule.kind, start, end });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}

export interface PatternCleaned {
  text: string;
  /** Identifiers cut out (dates that could not be shifted included). */
  removed: number;
  /** Dates rewritten as the shifted day. */
  shifted: number;
}

/**
 * Cuts out every identifier found, except dates that name one day, which are
 * moved back `shiftDays` days in their own written form (undefined: removed
 * too). The gaps left are closed up.
 */
export function cleanIdentifierPatterns(text: string, shiftDays: number | undefined): PatternCleaned {
  const found = findIdentifierPatterns(text);
  if (found.length === 0) return { text, removed: 0, shifted: 0 };
  let out = '';
  let at = 0;
  let removed = 0;
  let shifted = 0;
  for (const f of found) {
    out += text.slice(at, f.start);
    at = f.end;
    const d =
      f.date && shiftDays !== undefined
        ? new Date(Date.UTC(f.date.year, f.date.month - 1, f.date.day) - shiftDays * 86_400_000)
        : undefined;
    const to = d && { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    // A numeric date whose shifted day would read both ways (01/11) is removed: the verifier then knows every such date is a leak.
    const readsBothWays = to !== undefined && f.numericOrder === true && to.day <= 12 && to.month <= 12 && to.day !== to.month;
    if (f.kind === 'date' && to && f.rewrite && !readsBothWays) {
      out += f.rewrite(to);
      shifted += 1;
    } else removed += 1;
  }
  out += text.slice(at);
  return { text: removed ? closeGaps(out) : out, removed, shifted };
}

/** Collapses the spaces a removal leaves, per value of a multi-valued string. */
export function closeGaps(text: string): string {
  return text
    .split('\\')
    .map((v) =>
      v
        .replace(/[ \t]{2,}/g, ' ')
        .replace(/ +([.,;:!?)\]])/g, '$1')
        .trim(),
    )
    .join('\\');
}
