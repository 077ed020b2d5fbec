/**
 * The linker's query (docs/linkage.md) matched against the stored tokens of the named projects
 * through the index by token: only the tokens the query brings are looked up, and the cases
 * they find are matched on their whole token sets by the one rule. Reads no project key: the
 * commons matches tokens to pseudonyms it already stores. Tokens are never logged, audited or
 * returned.
 */
import { LinkIndex, queryLookups, type PersonMatches, type QueryPerson } from '../clinical/linkage';
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
  /** The distinct tokens looked up in the index. */
  readonly lookups: number;
  /** The cases those tokens led to, whose token sets were read and matched. */
  readonly candidateCases: number;
  /** DynamoDB read units the query consumed (index entries and candidates' records). */
  readonly readUnits: number;
}

/** The query's people matched against the tokens of the named projects (every project when none is named). */
export async function matchLinkTokens(people: readonly QueryPerson[], projects?: readonly string[]): Promise<LinkageAnswer> {
  const searched = projects?.length ? [...new Set(projects)] : (await projectRepository().listProjects()).map((p) => p.projectId);
  return matchThroughIndex(linkageRepository(), people, searched);
}

/**
 * The index's part of a query: each distinct token looked up once, the cases found read whole,
 * and the people matched against those cases alone, which answers as a match against every
 * stored case would (layers/clinical/linkage/token-index.ts says why).
 */
export async function matchThroughIndex(
  repository: Pick<LinkageRepository, 'findCases' | 'getCaseTokens'>,
  people: readonly QueryPerson[],
  projects: readonly string[],
): Promise<LinkageAnswer> {
  const lookups = projects.length ? queryLookups(people) : [];
  const found = await repository.findCases(lookups, projects);
  const candidates = await repository.getCaseTokens(found.cases);
  const index = new LinkIndex(candidates.records);
  return {
    people: people.map((p) => index.match(p)),
    projects,
    lookups: lookups.length,
    candidateCases: candidates.records.length,
    readUnits: found.cost.readUnits + candidates.cost.readUnits,
  };
}
