/**
 * A site's linkage tokens sheet stored per case (docs/linkage.md), its case ids pseudonymized
 * exactly as PatientID and the clinical sheets' are. Tokens are never logged, audited or
 * returned: they reach only the linkage repository.
 */
import type { Submission } from '../catalog/entities';
import { casePseudonym } from '../clinical';
import type { CaseLinkTokens, LinkSheetError } from '../clinical/linkage';
import type { CaseLinkTokensRecord } from '../catalog/linkage-entities';
import { deidKeyFor } from './commons-context';
import { linkageRepository } from './linkage-match';

export type LinkTokensIntakeResult =
  { readonly ok: true; readonly cases: number } | { readonly ok: false; readonly errors: readonly LinkSheetError[] };

/**
 * Stores a validated tokens sheet: every case must be one the project already has (sent in a
 * `case` or `demographics` sheet, or cases.csv), or nothing is stored.
 */
export async function storeLinkTokens(
  submission: Pick<Submission, 'submissionId' | 'project' | 'site' | 'deidKeyVersion'>,
  cases: readonly CaseLinkTokens[],
): Promise<LinkTokensIntakeResult> {
  const secret = await deidKeyFor(submission);
  const keys = { secret, project: submission.project, site: submission.site };
  const pseudonyms = cases.map((c) => casePseudonym(c.caseId, keys));
  // The sheet's own cases are looked up, not the project's every case: a project of millions stays one read per case.
  const known = await linkageRepository().existingCases(submission.project, pseudonyms);
  const unknown = pseudonyms.flatMap((p, i) => (known.has(p) ? [] : [i]));
  if (unknown.length)
    return {
      ok: false,
      errors: unknown.slice(0, 1000).map((i) => ({
        row: cases[i]!.row,
        column: 'case_id',
        code: 'unknown_case' as const,
        message: 'names no case of the project: send the case in case.csv (or demographics.csv) first, with the PatientID of its studies',
      })),
    };
  const now = new Date().toISOString();
  const records: CaseLinkTokensRecord[] = cases.map((c, i) => ({
    project: submission.project,
    casePseudonym: pseudonyms[i]!,
    tokens: c.tokens,
    site: submission.site,
    submissionId: submission.submissionId,
    updatedAt: now,
  }));
  await linkageRepository().putCaseTokens(records);
  return { ok: true, cases: records.length };
}
