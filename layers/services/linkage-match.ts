/**
 * The linker's query (docs/linkage.md) matched against the stored tokens of the named projects.
 * Reads no project key: the commons matches tokens to pseudonyms it already stores. Tokens are
 * never logged, audited or returned.
 */
import { LinkIndex, type PersonMatches, type QueryPerson } from '../clinical/linkage';
import { LinkageRepository } from '../adapters/aws/dynamodb/linkage-repository';
import { documentClient } from '../adapters/aws/clients';
import { lazyConfig, requireEnv } from '../common/config';
import { ENV } from '../common/env-names';
import { projectRepository } from './commons-context';

/** Linkage tokens per case: read by the linkage API and written by its intake only, so the repository lives here, not in commons-context. */
export const linkageRepository = /* @__PURE__ */ lazyConfig(() => new LinkageRepository(documentClient(), requireEnv(ENV.catalogTable)));

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
