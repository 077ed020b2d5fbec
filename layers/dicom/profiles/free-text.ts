/**
 * hilum's decision for each free-text row of PS3.15 Table E.1-1 that an option
 * would clean (free-text.json, read as data by the engine and the verifier):
 * Clean Descriptors and Retain Patient Characteristics keep and clean text,
 * which leaves research value only where the text describes the acquisition.
 * Text written about the patient (history, comments, occupation, allergies) is
 * removed instead: cleaning can only take out the identifiers it recognises.
 */
import freeText from './free-text.json';

export type FreeTextAction = 'clean' | 'remove';

export interface FreeTextDecision {
  tag: string;
  keyword: string;
  action: FreeTextAction;
  /** Key into FREE_TEXT_SCOPES: why the decision was taken. */
  scope: string;
}

export const FREE_TEXT_DECISIONS = freeText.attributes as readonly FreeTextDecision[];
export const FREE_TEXT_SCOPES: Readonly<Record<string, string>> = freeText.scopes;

/** Tags "(GGGG,EEEE)" whose option codes hilum ignores: the Basic Profile's code applies. */
export const FREE_TEXT_REMOVED: ReadonlySet<string> = new Set(FREE_TEXT_DECISIONS.filter((d) => d.action === 'remove').map((d) => d.tag));

/**
 * The decisions as the Markdown table docs/deidentification.md shows (a test
 * keeps the page equal to it). `annexE` gives a row's basic and option codes as
 * text ("X; Clean Descriptors C"), `hilum` the action hilum takes.
 */
export function freeTextTableMarkdown(annexE: (tag: string) => string, hilum: (decision: FreeTextDecision) => string): string {
  const lines = ['| attribute | tag | Annex E | hilum | why |', '| --- | --- | --- | --- | --- |'];
  for (const d of FREE_TEXT_DECISIONS) {
    lines.push(`| ${d.keyword} | ${d.tag} | ${annexE(d.tag)} | ${hilum(d)} | ${FREE_TEXT_SCOPES[d.scope] ?? d.scope} |`);
  }
  return lines.join('\n');
}
