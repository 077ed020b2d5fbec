/**
 * Moved: the visibility rule is part of the authorization module
 * (layers/access/data.ts), which decides every request. These names stay for
 * callers that import them from the catalog.
 */
import type { Grant } from './commons-entities';
import type { Caller } from '../access/caller';
export { dataScope as visibleProjects, mayResearcherSee, inScope, type Scope } from '../access/data';

/** Where grants come from: the catalog table stores them (CatalogRepository.grantsFor). */
export interface GrantSource {
  grantsFor(caller: Caller): Promise<readonly Grant[]>;
}
