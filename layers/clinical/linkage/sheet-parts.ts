/**
 * A large tokens sheet cut into parts that each fit one request (docs/linkage.md, "Large
 * rosters"): whole cases per part, so each part replaces its own cases' tokens and sending a
 * part again changes nothing. A part's errors name the part's lines; `rowOf` turns them back
 * into the rows of the sheet the site holds. Pure.
 */
import { LINK_VARIANT_NAMES } from './variants';
import { tokenSheetCsv, type CaseLinkTokens } from './token-sheet';

export interface TokenSheetPart {
  /** The part as a tokens sheet of its own (with the header). */
  readonly csv: string;
  readonly cases: number;
  /** The whole sheet's row of the case on a line of this part (a line of no case: itself). */
  rowOf(partLine: number): number;
}

/** The sheet's cases, `casesPerPart` at a time, in their order. */
export function tokenSheetParts(cases: readonly CaseLinkTokens[], casesPerPart: number): TokenSheetPart[] {
  if (!Number.isInteger(casesPerPart) || casesPerPart < 1) throw new RangeError('casesPerPart must be a positive integer');
  const parts: TokenSheetPart[] = [];
  for (let start = 0; start < cases.length; start += casesPerPart) {
    const chunk = cases.slice(start, start + casesPerPart);
    const rows = new Map<number, number>();
    // Line 1 is the header; each case's rows follow in the variants' order, as tokenSheetCsv writes them.
    let line = 2;
    for (const c of chunk)
      for (const variant of LINK_VARIANT_NAMES)
        if (c.tokens[variant]) {
          rows.set(line, c.row);
          line += 1;
        }
    parts.push({ csv: tokenSheetCsv(chunk), cases: chunk.length, rowOf: (partLine) => rows.get(partLine) ?? partLine });
  }
  return parts;
}
