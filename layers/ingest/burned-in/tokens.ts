/**
 * What a word read from the pixels is, for the decision whether an image needs review: one of the
 * file's own identifiers, a date, a name-like or an ID-like token. Only these classes (never the
 * text) leave this module's callers.
 */
import type { KnownIdentifiers } from './known-identifiers';

export type TokenClass = 'known-identifier' | 'date' | 'name-like' | 'id-like';

/** Words burned in by modalities that say nothing about a person: markers, views, positions, technique. */
const IMAGING_VOCABULARY = new Set(
  (
    'L R LT RT LEFT RIGHT AP PA LAT LATERAL OBL OBLIQUE PORTABLE PORT SUPINE ERECT UPRIGHT PRONE DECUB DECUBITUS ' +
    'STANDING SITTING SEMI INSP INSPIRATION EXP EXPIRATION CHEST ABDOMEN ABD PELVIS HIP KNEE HAND FOOT ANKLE WRIST ' +
    'ELBOW SHOULDER SPINE SKULL VIEW FRONTAL AXIAL CXR KV KVP MA MAS MM CM SID FFD GRID NO WITH WITHOUT HR MIN SEC ' +
    'CC MLO ML LM XCCL SPOT MAG IMPLANT DISPLACED TOMO SCOUT LOCALIZER ROUTINE STAT AM PM'
  ).split(' '),
);

const MONTHS =
  'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC|JANUARY|FEBRUARY|MARCH|APRIL|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER';
const DATE_PATTERNS: readonly RegExp[] = [
  /^(19|20)\d{2}[-/.]?(0[1-9]|1[0-2])[-/.]?(0[1-9]|[12]\d|3[01])$/, // 1985-03-12, 19850312
  /^(0?[1-9]|[12]\d|3[01])[-/.](0?[1-9]|[12]\d|3[01])[-/.]((19|20)?\d{2})$/, // 12/03/1985, 3.12.85
  new RegExp(`^(0?[1-9]|[12]\\d|3[01])[- ]?(${MONTHS})[- ,]?((19|20)?\\d{2})$`), // 12-MAR-1985, 12 Mar 1985
  new RegExp(`^(${MONTHS})[- ]?(0?[1-9]|[12]\\d|3[01])?,?[- ]?(19|20)\\d{2}$`), // Mar 12, 1985
];

/** At most one substitution, insertion or deletion apart. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** A vocabulary word, also as OCR misreads a long one by a letter (PORTABLI). */
function isImagingWord(part: string): boolean {
  const token = normalizeToken(part);
  if (token === '' || IMAGING_VOCABULARY.has(token)) return true;
  if (token.length < 5) return false;
  for (const word of IMAGING_VOCABULARY) if (word.length >= 5 && withinOneEdit(token, word)) return true;
  return false;
}

/** Letters and digits only, upper case: how OCR output and header values are compared. */
export function normalizeToken(text: string): string {
  return text
    .normalize('NFKD')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

/** A date in a written form, as YYYYMMDD when its order is unambiguous (ISO, or a four-digit year last). */
export function looksLikeDate(text: string): boolean {
  const compact = text.trim().toUpperCase().replace(/\s+/g, ' ');
  return DATE_PATTERNS.some((p) => p.test(compact));
}

/** The digit strings a written date could stand for (YYYYMMDD), in both day/month orders. */
export function dateCandidates(text: string): string[] {
  const digits = text
    .trim()
    .split(/[-/. ]/)
    .filter(Boolean);
  if (digits.length === 1 && /^\d{8}$/.test(digits[0]!)) return [digits[0]!];
  if (digits.length !== 3 || !digits.every((d) => /^\d+$/.test(d))) return [];
  const [a, b, c] = digits as [string, string, string];
  const pad = (s: string): string => s.padStart(2, '0');
  if (a.length === 4) return [`${a}${pad(b)}${pad(c)}`];
  const year = c.length === 4 ? c : undefined;
  if (!year) return [];
  return [`${year}${pad(b)}${pad(a)}`, `${year}${pad(a)}${pad(b)}`];
}

/**
 * How OCR reads the caret between a burned-in person name's components (DOE^JANE): a tilde, an
 * asterisk or a quotation mark (or two of them) as often as the caret itself (bench burned-in).
 */
const CARET_READINGS = /[~*"\u201C\u201D\u201E]+/g;

function isKnownIdentifier(text: string, known: KnownIdentifiers): boolean {
  const token = normalizeToken(text);
  if (token.length >= 2 && (known.nameParts.has(token) || known.ids.has(token))) return true;
  const parts = text.replace(CARET_READINGS, '^').split(/[\^,]/).map(normalizeToken);
  if (parts.length > 1 && parts.some((part) => part.length >= 2 && known.nameParts.has(part))) return true;
  if (known.ids.size > 0 && token.length >= 4) for (const id of known.ids) if (id.length >= 4 && token.includes(id)) return true;
  return dateCandidates(text).some((d) => known.dates.has(d)) || (token.length === 8 && known.dates.has(token));
}

/**
 * The class of one word (or a line, for dates written across words), or undefined for text that
 * says nothing about a person (a marker, a unit, a fragment OCR made of noise).
 */
export function classifyToken(text: string, known: KnownIdentifiers): TokenClass | undefined {
  const trimmed = text.trim().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  if (trimmed === '') return undefined;
  if (isKnownIdentifier(trimmed, known)) return 'known-identifier';
  if (looksLikeDate(trimmed)) return 'date';
  const token = normalizeToken(trimmed);
  const digits = token.replace(/\D/g, '').length;
  if (digits >= 4 || (digits >= 3 && token.length >= 5 && /[A-Z]/.test(token))) return 'id-like';
  // Three letters at least: the ink page draws a real radiograph's edges as strokes, which Tesseract
  // reads as two-letter words (`ce`, `Ny`) with confidence up to the 60s (the NIH chest and MR_small
  // fixtures). A two-letter name of the file's own is still a known identifier.
  const name = trimmed.replace(CARET_READINGS, '^');
  if (token.length >= 3 && /^\p{L}[\p{L}'^,.-]*\p{L}$/u.test(name) && !name.split(/[\^,.-]/).every(isImagingWord)) return 'name-like';
  return undefined;
}
