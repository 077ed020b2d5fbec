/**
 * The identifiers a linkage token is made of, normalized so that two registries that wrote
 * the same person differently (case, accents, punctuation, spaces, a title, a generational
 * suffix, a nickname, a date's format) still produce the same text. Runs at the site only:
 * these values never leave it. Errors name the field, never its value.
 */

export interface PersonIdentifiers {
  readonly firstName?: string;
  readonly lastName?: string;
  /** YYYY-MM-DD (also YYYYMMDD or YYYY/MM/DD). */
  readonly birthDate?: string;
  readonly sex?: string;
  /** A ZIP code (5 or 9 digits, or its first 3). */
  readonly zip?: string;
}

export interface NormalizedPerson {
  readonly first: string;
  readonly last: string;
  /** YYYY-MM-DD */
  readonly dob: string;
  readonly sex: 'M' | 'F' | 'U';
  /** '' when absent: the variants that need it are then not computed. */
  readonly zip3: string;
}

export class IdentifierError extends Error {
  override readonly name = 'IdentifierError';
  constructor(
    readonly field: 'first_name' | 'last_name' | 'birth_date' | 'sex' | 'zip',
    message: string,
  ) {
    super(message);
  }
}

/** Letters with no Unicode decomposition to a base letter. */
const FOLDS: Readonly<Record<string, string>> = { ß: 'SS', Æ: 'AE', Œ: 'OE', Ø: 'O', Ł: 'L', Đ: 'D', Ð: 'D', Þ: 'TH', ı: 'I' };

/** Case, accents and ligatures folded: "Zoë" and "ZOE" and "zoe" are one name. */
export function foldLetters(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[ßÆŒØŁĐÐÞı]/gu, (c) => FOLDS[c] ?? FOLDS[c.toUpperCase()] ?? c)
    .replace(/ẞ/g, 'SS');
}

const TITLES = new Set([
  'MR',
  'MRS',
  'MS',
  'MISS',
  'MX',
  'DR',
  'PROF',
  'SIR',
  'REV',
  'FR',
  'SR',
  'SRA',
  'SRTA',
  'HERR',
  'FRAU',
  'MME',
  'MLLE',
]);
const SUFFIXES = new Set(['JR', 'SR', 'II', 'III', 'IV', 'V', 'JNR', 'SNR', 'MD', 'PHD', 'DDS', 'RN', 'ESQ']);

/** Words of a folded name: letters only, split at spaces, hyphens, dots, commas and apostrophes ("O'Brien" is one word). */
function words(folded: string): string[] {
  return folded
    .replace(/['\u2019`]/g, '')
    .split(/[^A-Z]+/)
    .filter(Boolean);
}

/**
 * A last name: folded, a generational or professional suffix dropped ("Smith Jr." is
 * "SMITH"), the rest joined without spaces or punctuation, so "de la Cruz", "De La Cruz"
 * and "Delacruz", or "O'Brien" and "OBrien", agree; particles are kept (dropping "van"
 * would make "Van Dyke" and "Dyke" one family).
 */
export function normalizeLastName(name: string): string {
  const parts = words(foldLetters(name));
  while (parts.length > 1 && SUFFIXES.has(parts[parts.length - 1]!)) parts.pop();
  return parts.join('');
}

/**
 * A first name: folded, a title dropped ("Dr. Anne" is "ANNE"), its words joined
 * ("Anne-Marie" and "Anne Marie" agree), then a common nickname mapped to its formal
 * name ("Bob" is "ROBERT").
 */
export function normalizeFirstName(name: string): string {
  const parts = words(foldLetters(name));
  while (parts.length > 1 && TITLES.has(parts[0]!)) parts.shift();
  const first = parts.join('');
  return NICKNAMES[first] ?? first;
}

/** Common English nicknames and their formal names; a small table, not a census. */
export const NICKNAMES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    (
      [
        ['ROBERT', 'BOB', 'BOBBY', 'ROB', 'ROBBIE', 'BERT'],
        ['WILLIAM', 'BILL', 'BILLY', 'WILL', 'WILLIE', 'LIAM'],
        ['RICHARD', 'RICK', 'RICKY', 'DICK', 'RICH', 'RICHIE'],
        ['JAMES', 'JIM', 'JIMMY', 'JAMIE'],
        ['JOHN', 'JACK', 'JOHNNY'],
        ['JOSEPH', 'JOE', 'JOEY'],
        ['THOMAS', 'TOM', 'TOMMY'],
        ['CHARLES', 'CHARLIE', 'CHUCK'],
        ['MICHAEL', 'MIKE', 'MICKEY'],
        ['DAVID', 'DAVE', 'DAVEY'],
        ['DANIEL', 'DAN', 'DANNY'],
        ['MATTHEW', 'MATT'],
        ['ANTHONY', 'TONY'],
        ['CHRISTOPHER', 'CHRIS'],
        ['STEVEN', 'STEVE'],
        ['EDWARD', 'ED', 'EDDIE', 'TED', 'TEDDY'],
        ['BENJAMIN', 'BEN', 'BENNY'],
        ['SAMUEL', 'SAM', 'SAMMY'],
        ['ALEXANDER', 'ALEX'],
        ['NICHOLAS', 'NICK', 'NICKY'],
        ['ELIZABETH', 'LIZ', 'LIZZIE', 'BETH', 'BETTY', 'ELIZA', 'BETSY'],
        ['MARGARET', 'MAGGIE', 'PEGGY', 'MEG', 'MARGE'],
        ['KATHERINE', 'KATE', 'KATIE', 'KATHY', 'KAT'],
        ['CATHERINE', 'CATHY', 'CATE'],
        ['JENNIFER', 'JEN', 'JENNY'],
        ['PATRICIA', 'PAT', 'PATTY', 'TRISH'],
        ['SUSAN', 'SUE', 'SUSIE'],
        ['DEBORAH', 'DEB', 'DEBBIE'],
        ['REBECCA', 'BECKY', 'BECCA'],
        ['JESSICA', 'JESS', 'JESSIE'],
        ['VICTORIA', 'VICKY', 'TORI'],
        ['ABIGAIL', 'ABBY'],
        ['SAMANTHA', 'SAMMIE'],
        ['KIMBERLY', 'KIM'],
        ['CHRISTINE', 'CHRISSY'],
      ] as const
    ).flatMap(([formal, ...nicknames]) => nicknames.map((n) => [n, formal] as const)),
  ),
);

const DATE = /^(\d{4})[-/]?(\d{2})[-/]?(\d{2})$/;

/** YYYY-MM-DD of a real calendar date, or an IdentifierError. */
export function normalizeBirthDate(text: string): string {
  const m = DATE.exec(text.trim());
  if (!m) throw new IdentifierError('birth_date', 'birth_date must be a date written YYYY-MM-DD');
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d))
    throw new IdentifierError('birth_date', 'birth_date is not a calendar date');
  return `${y}-${mo}-${d}`;
}

export function normalizeSex(text: string): 'M' | 'F' | 'U' {
  const s = foldLetters(text.trim());
  if (s === 'M' || s === 'MALE' || s === 'MAN') return 'M';
  if (s === 'F' || s === 'FEMALE' || s === 'WOMAN' || s === 'W') return 'F';
  if (s === '' || s === 'U' || s === 'UNKNOWN' || s === 'O' || s === 'OTHER' || s === 'X') return 'U';
  throw new IdentifierError('sex', 'sex must be M, F or U (male, female, unknown)');
}

/** The first three digits of a US ZIP code ('' when absent). */
export function normalizeZip3(text: string): string {
  const digits = text.trim().replace(/[\s-]/g, '');
  if (!digits) return '';
  if (!/^\d{3}(\d{2}(\d{4})?)?$/.test(digits))
    throw new IdentifierError('zip', 'zip must be a 5- or 9-digit ZIP code or its first 3 digits');
  return digits.slice(0, 3);
}

/** A person's identifiers normalized; names and the birth date are required. */
export function normalizePerson(person: PersonIdentifiers): NormalizedPerson {
  const first = normalizeFirstName(person.firstName ?? '');
  if (!first) throw new IdentifierError('first_name', 'first_name is empty (after removing punctuation and titles)');
  const last = normalizeLastName(person.lastName ?? '');
  if (!last) throw new IdentifierError('last_name', 'last_name is empty (after removing punctuation and suffixes)');
  if (!person.birthDate?.trim()) throw new IdentifierError('birth_date', 'birth_date is required');
  return {
    first,
    last,
    dob: normalizeBirthDate(person.birthDate),
    sex: normalizeSex(person.sex ?? ''),
    zip3: normalizeZip3(person.zip ?? ''),
  };
}
