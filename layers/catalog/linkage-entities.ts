/** A case's linkage tokens as the catalog stores them (docs/linkage.md, docs/catalog.md). Pure types. */
import type { StoredCaseTokens } from '../clinical/linkage';

/** One case's tokens: read only by the linkage API, never by search, cohorts, manifests or exports. */
export interface CaseLinkTokensRecord extends StoredCaseTokens {
  readonly site: string;
  readonly submissionId: string;
  readonly updatedAt: string;
}
