import { accessRepository } from './commons-context';

/**
 * The clinical cases of a submission's studies (study UID -> case id), from the
 * catalog's `casesForSubmission` when the catalog has clinical data support;
 * undefined when it does not or when the site provided none, which the
 * `submission.cases` rule reports as "no clinical data" (a warning).
 */
export async function casesForSubmission(submissionId: string): Promise<ReadonlyMap<string, string> | undefined> {
  const repository = accessRepository() as unknown as {
    casesForSubmission?: (id: string) => Promise<ReadonlyMap<string, string> | Readonly<Record<string, string>> | undefined>;
  };
  if (typeof repository.casesForSubmission !== 'function') return undefined;
  const cases = await repository.casesForSubmission(submissionId);
  if (!cases) return undefined;
  return cases instanceof Map ? cases : new Map(Object.entries(cases));
}
