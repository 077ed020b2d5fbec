/**
 * Matching token sets (docs/linkage.md, "Decision rule"): a query person and a stored case
 * match when their `exact` tokens agree, or when at least two other variants agree; of one
 * project's matching cases only the strongest (most agreeing variants, ties kept) are kept,
 * since one person is one case of a project: a twin's record agrees with its sibling's on
 * the variants without the first name, and must not be answered beside the twin's own.
 * The strength says which variants agreed and the share of the variants both sides carry.
 * Pure: the commons runs it on tokens alone, never seeing an identifier.
 */
import { LINK_VARIANT_NAMES, type LinkTokens, type LinkVariant } from './variants';

export const MIN_AGREEING_VARIANTS = 2;

export interface StoredCaseTokens {
  readonly project: string;
  readonly casePseudonym: string;
  readonly tokens: LinkTokens;
}

export interface QueryPerson {
  /** The querying registry's own reference for the person (echoed back, never stored). */
  readonly ref: string;
  readonly tokens: LinkTokens;
}

export interface LinkMatch {
  readonly project: string;
  readonly casePseudonym: string;
  /** The variants whose tokens agreed, in the variants' order. */
  readonly agreed: readonly LinkVariant[];
  /** Agreeing variants over the variants both sides carry (0..1, three decimals). */
  readonly score: number;
}

export interface PersonMatches {
  readonly ref: string;
  readonly matches: readonly LinkMatch[];
}

/** Whether agreeing variants make a match: the exact one, or two others. */
export function isMatch(agreed: readonly LinkVariant[]): boolean {
  return agreed.includes('exact') || agreed.length >= MIN_AGREEING_VARIANTS;
}

/** An index of stored tokens by variant and token, built once per query. */
export class LinkIndex {
  private readonly byToken = new Map<string, StoredCaseTokens[]>();

  constructor(cases: Iterable<StoredCaseTokens>) {
    for (const c of cases)
      for (const variant of LINK_VARIANT_NAMES) {
        const token = c.tokens[variant];
        if (!token) continue;
        const key = `${variant}:${token}`;
        const list = this.byToken.get(key);
        if (list) list.push(c);
        else this.byToken.set(key, [c]);
      }
  }

  /** The stored cases matching one person: per project the strongest, strongest first. */
  match(person: QueryPerson): PersonMatches {
    const agreements = new Map<StoredCaseTokens, LinkVariant[]>();
    for (const variant of LINK_VARIANT_NAMES) {
      const token = person.tokens[variant];
      if (!token) continue;
      for (const c of this.byToken.get(`${variant}:${token}`) ?? []) {
        const agreed = agreements.get(c);
        if (agreed) agreed.push(variant);
        else agreements.set(c, [variant]);
      }
    }
    const strongest = new Map<string, number>();
    for (const [c, agreed] of agreements)
      if (isMatch(agreed)) strongest.set(c.project, Math.max(strongest.get(c.project) ?? 0, agreed.length));
    const matches: LinkMatch[] = [];
    for (const [c, agreed] of agreements) {
      if (!isMatch(agreed) || agreed.length < strongest.get(c.project)!) continue;
      const comparable = LINK_VARIANT_NAMES.filter((v) => person.tokens[v] && c.tokens[v]).length;
      matches.push({
        project: c.project,
        casePseudonym: c.casePseudonym,
        agreed,
        score: Math.round((agreed.length / Math.max(comparable, 1)) * 1000) / 1000,
      });
    }
    matches.sort((a, b) => b.agreed.length - a.agreed.length || b.score - a.score || a.casePseudonym.localeCompare(b.casePseudonym));
    return { ref: person.ref, matches };
  }
}
