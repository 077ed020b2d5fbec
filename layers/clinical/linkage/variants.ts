/**
 * The token variants (docs/linkage.md): each a keyed hash of a few normalized identifiers,
 * chosen so that every common single error between two registries' records of one person
 * (a typo in either name, a nickname, swapped first and last names, a married name, a
 * missing or changed ZIP, day and month of birth swapped) leaves at least two variants
 * agreeing, while two different people need to share a name and a birth date for two to agree.
 * Each variant's token is HMAC-SHA-256 under the linkage key of `hilum-link-v1`, the variant's
 * name and its fields: the same fields give different tokens in different variants, so
 * tokens cannot be compared across variants.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { NormalizedPerson } from './normalize';
import { soundex } from './soundex';

const sorted = (a: string, b: string) => (a <= b ? `${a}|${b}` : `${b}|${a}`);
/** Year, then month and day in either order: a day/month swap gives the same text. */
const dobUnordered = (dob: string) => `${dob.slice(0, 4)}|${sorted(dob.slice(5, 7), dob.slice(8, 10))}`;

/** A variant's fields, or undefined when the person lacks one it needs (a ZIP). */
type Fields = (p: NormalizedPerson) => readonly string[] | undefined;
const withZip =
  (fields: Fields): Fields =>
  (p) =>
    p.zip3 ? fields(p) : undefined;

export const LINK_VARIANTS = {
  /** Everything, as recorded. */
  exact: withZip((p) => [p.first, p.last, p.dob, p.sex, p.zip3]),
  /** A missing or changed ZIP. */
  no_zip: (p) => [p.first, p.last, p.dob, p.sex],
  /** A typo in the first name after its initial. */
  initial_last: (p) => [p.first[0]!, p.last, p.dob, p.sex],
  /** A typo in the last name after its initial. */
  first_initial: (p) => [p.first, p.last[0]!, p.dob, p.sex],
  /** Misspellings that sound alike, in either name. */
  phonetic: (p) => [soundex(p.first), soundex(p.last), p.dob, p.sex],
  /** First and last names swapped. */
  names_unordered: (p) => [sorted(p.first, p.last), p.dob, p.sex],
  names_unordered_phonetic: (p) => [sorted(soundex(p.first), soundex(p.last)), p.dob, p.sex],
  /** Day and month of birth swapped. */
  dob_unordered: (p) => [p.first, p.last, dobUnordered(p.dob), p.sex],
  dob_unordered_phonetic: (p) => [soundex(p.first), soundex(p.last), dobUnordered(p.dob), p.sex],
  /** A changed last name (marriage), or any last-name error. */
  first_dob: (p) => [p.first, p.dob, p.sex],
  first_dob_zip: withZip((p) => [p.first, p.dob, p.sex, p.zip3]),
  /** A changed first name (a nickname the table lacks), or any first-name error. */
  last_dob: (p) => [p.last, p.dob, p.sex],
  last_dob_zip: withZip((p) => [p.last, p.dob, p.sex, p.zip3]),
} as const satisfies Record<string, Fields>;

export type LinkVariant = keyof typeof LINK_VARIANTS;
export const LINK_VARIANT_NAMES = Object.keys(LINK_VARIANTS) as LinkVariant[];

export function isLinkVariant(name: string): name is LinkVariant {
  return Object.hasOwn(LINK_VARIANTS, name);
}

/** A token: the HMAC-SHA-256 in base64url (43 characters). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type LinkTokens = Readonly<Partial<Record<LinkVariant, string>>>;

const VERSION = 'hilum-link-v1';

/** Every variant's token of one normalized person under the linkage key (a variant missing a field is left out). */
export function linkTokens(person: NormalizedPerson, key: Uint8Array | KeyObject): LinkTokens {
  // A key object once, not a key per HMAC: a third of the time of each token.
  const secret = key instanceof Uint8Array ? createSecretKey(key) : key;
  const tokens: Partial<Record<LinkVariant, string>> = {};
  for (const variant of LINK_VARIANT_NAMES) {
    const fields = (LINK_VARIANTS[variant] as Fields)(person);
    if (!fields || fields.some((f) => !f)) continue;
    tokens[variant] = createHmac('sha256', secret)
      .update([VERSION, variant, ...fields].join('\u001f'))
      .digest('base64url');
  }
  return tokens;
}
