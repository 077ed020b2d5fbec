import { BatchWriteCommand, type BatchWriteCommandInput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../../common/errors';
import type { CaseLinkTokensRecord } from '../../../catalog/linkage-entities';
import type { LinkTokens, StoredCaseTokens } from '../../../clinical/linkage';
import { queryAllByPrefix } from './table-io';

/**
 * Linkage tokens (docs/catalog.md, "Linkage tokens") in the project's item collection:
 * `PROJECT#{id}` / `LINKTOKENS#{casePseudonym}`, one item per case (a re-sent sheet replaces
 * a case's tokens), so one query reads a project's tokens for the linkage API and no other
 * reader of the project's items (cases, clinical records) meets them: each reads its own prefix.
 */
export const caseLinkTokensKey = (r: Pick<StoredCaseTokens, 'project' | 'casePseudonym'>) => ({
  pk: `PROJECT#${r.project}`,
  sk: `LINKTOKENS#${r.casePseudonym}`,
});

export class LinkageRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Replaces each case's tokens, 25 per batch. */
  async putCaseTokens(records: readonly CaseLinkTokensRecord[]): Promise<void> {
    const items = records.map((r) => ({ ...caseLinkTokensKey(r), type: 'link-tokens', ...r }));
    for (let start = 0; start < items.length; start += 25) {
      let pending: NonNullable<BatchWriteCommandInput['RequestItems']> = {
        [this.table]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; Object.keys(pending).length > 0; attempt += 1) {
        if (attempt > 8) throw new TransientError('linkage tokens could not all be written; retry');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = result.UnprocessedItems ?? {};
      }
    }
  }

  /** Every case's tokens of a project. */
  async listProjectTokens(project: string): Promise<StoredCaseTokens[]> {
    const items = await queryAllByPrefix<CaseLinkTokensRecord>(this.db, this.table, `PROJECT#${project}`, 'LINKTOKENS#');
    return items.map((i) => ({ project: i.project, casePseudonym: i.casePseudonym, tokens: i.tokens as LinkTokens }));
  }
}
