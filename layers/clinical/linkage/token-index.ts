/**
 * The stored tokens indexed by token (docs/linkage.md, "Storage and API"): a query looks up
 * only the tokens it brings and matches the cases they find on those cases' whole token sets,
 * by the one rule (`LinkIndex`), so the answer is the one a `LinkIndex` over every stored case
 * would give as long as every case that can match is found. Pure.
 *
 * Four variants are indexed, not thirteen: a case matches only when some variant agrees, and
 * the agreement of any variant implies that of an indexed one, since its fields include theirs
 * (the same tokens mean the same fields): `exact`, `no_zip`, `first_initial` and
 * `first_dob_zip` contain `first_dob`'s fields; `initial_last` and `last_dob_zip`, `last_dob`'s;
 * `phonetic` and `names_unordered`, `names_unordered_phonetic`'s (soundexes of the same names,
 * in either order); `dob_unordered`, `dob_unordered_phonetic`'s. Every person of a sheet and of
 * a query carries these four (`hilum link-tokens` computes them for everyone: they need no
 * ZIP), so a case that can match a person shares an indexed token with the person.
 */
import type { LinkTokens, LinkVariant } from './variants';

/** The variants the index holds: one of them agrees whenever any variant does (above). */
export const INDEXED_VARIANTS: readonly LinkVariant[] = ['first_dob', 'last_dob', 'names_unordered_phonetic', 'dob_unordered_phonetic'];

/** The indexed variants a token set lacks (a sheet's case or a query's person must carry all). */
export function missingIndexedVariants(tokens: LinkTokens): LinkVariant[] {
  return INDEXED_VARIANTS.filter((v) => !tokens[v]);
}

/** One entry of the index: a variant's token, which leads to the cases carrying it. */
export interface TokenLookup {
  readonly variant: LinkVariant;
  readonly token: string;
}

/** The distinct indexed (variant, token) pairs a query's people bring: what the index is asked, once each. */
export function queryLookups(people: readonly { readonly tokens: LinkTokens }[]): TokenLookup[] {
  const seen = new Set<string>();
  const lookups: TokenLookup[] = [];
  for (const person of people)
    for (const variant of INDEXED_VARIANTS) {
      const token = person.tokens[variant];
      if (!token || seen.has(`${variant}:${token}`)) continue;
      seen.add(`${variant}:${token}`);
      lookups.push({ variant, token });
    }
  return lookups;
}

/** A case's index entries: its tokens of the indexed variants. */
export function indexedTokens(tokens: LinkTokens): TokenLookup[] {
  return INDEXED_VARIANTS.flatMap((variant) => {
    const token = tokens[variant];
    return token ? [{ variant, token }] : [];
  });
}

/**
 * What replacing a case's tokens changes in the index: the entries of indexed tokens it did not
 * carry before, and the stale entries of those it no longer carries (a token changed, as after a
 * married name or a key rotation). Tokens that stay keep their entries.
 */
export function indexChanges(previous: LinkTokens | undefined, next: LinkTokens): { add: TokenLookup[]; remove: TokenLookup[] } {
  const add: TokenLookup[] = [];
  const remove: TokenLookup[] = [];
  for (const variant of INDEXED_VARIANTS) {
    const before = previous?.[variant];
    const after = next[variant];
    if (before === after) continue;
    if (before) remove.push({ variant, token: before });
    if (after) add.push({ variant, token: after });
  }
  return { add, remove };
}
