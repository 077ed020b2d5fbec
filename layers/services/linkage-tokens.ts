/**
 * Linkage tokens through the commons (docs/linkage.md): a site's tokens sheet stored per
 * case, its case ids pseudonymized exactly as PatientID and the clinical sheets' are; and
 * the linker's query matched against the stored tokens. Tokens are never logged, audited or
 * returned: they reach only the linkage repository and the match index.
 */
import type { Submission } from '../catalog/entities';
import { casePseudonym } from '../clinical';
import { LinkIndex, type CaseLinkTokens, type LinkSheetError, type PersonMatches, type QueryPerson } from '../clinical/linkage';
import { LinkageRepository, type CaseLinkTokensRecord } from '../adapters/aws/dynamodb/linkage-repository';
import { documentClient } from '../adapters/aws/clients';
import { lazyConfig, requireEnv } from '../common/config';
import { ENV } from '../common/env-names';
import { deidKeyFor, projectRepository } from './commons-context';

/** Linkage tokens per case: read by the linkage API only, so its repository lives here, not in commons-context. */
const linkageRepository = /* @__PURE__ */ lazyConfig(() => new LinkageRepository(documentClient(), requireEnv(ENV.catalogTable)));

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
  const known = new Set((await projectRepository().listCases(submission.project)).map((c) => c.casePseudonym));
  const pseudonyms = cases.map((c) => casePseudonym(c.caseId, keys));
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

export interface LinkageAnswer {
  readonly people: readonly PersonMatches[];
  readonly projects: readonly string[];
  readonly storedCases: number;
}

/** The query's people matched against the tokens of the named projects (every project when none is named). */
export async function matchLinkTokens(people: readonly QueryPerson[], projects?: readonly string[]): Promise<LinkageAnswer> {
  const searched = projects?.length ? [...new Set(projects)] : (await projectRepository().listProjects()).map((p) => p.projectId);
  const stored = (await Promise.all(searched.map((p) => linkageRepository().listProjectTokens(p)))).flat();
  const index = new LinkIndex(stored);
  return { people: people.map((p) => index.match(p)), projects: searched, storedCases: stored.length };
}
