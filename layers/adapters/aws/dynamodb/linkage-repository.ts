import {
  BatchGetCommand,
  QueryCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../../common/errors';
import type { CaseLinkTokensRecord } from '../../../catalog/linkage-entities';
import * as keys from '../../../catalog/item-keys';
import { PREFIX } from '../../../catalog/keys';
import { indexChanges, indexedTokens, type LinkTokens, type StoredCaseTokens, type TokenLookup } from '../../../clinical/linkage';
import { writeItems, type WriteRequest } from './table-io';

/**
 * Linkage tokens (docs/catalog.md, "Linkage tokens"; docs/linkage.md, "Storage and API").
 * Each case's tokens are one record in the project's item collection, `PROJECT#{id}` /
 * `LINKTOKENS#{casePseudonym}` (a re-sent sheet replaces it), and every token is also an
 * index entry `LINKTOKEN#{variant}#{token}` / `{project}#{casePseudonym}`, so a query reads
 * the entries of the tokens it brings and the records of the cases they lead to, never a
 * project's other tokens. The record is what a query trusts: an entry only finds a case. No
 * other reader meets either: every reader of a project's items reads its own prefix, and
 * the index partitions are read here only.
 */
export const caseLinkTokensKey = (r: Pick<StoredCaseTokens, 'project' | 'casePseudonym'>) => ({
  pk: `PROJECT#${r.project}`,
  sk: `LINKTOKENS#${r.casePseudonym}`,
});

/** A token's index entry for one case: the token leads to the case, in its project. */
export const tokenIndexKey = (lookup: TokenLookup, c: Pick<StoredCaseTokens, 'project' | 'casePseudonym'>) => ({
  pk: tokenPartition(lookup),
  sk: `${c.project}#${c.casePseudonym}`,
});
const tokenPartition = (lookup: TokenLookup) => `LINKTOKEN#${lookup.variant}#${lookup.token}`;

/** What a read cost: the DynamoDB calls it made and the read units they consumed. */
export interface ReadCost {
  readonly calls: number;
  readonly readUnits: number;
}

type CaseRef = Pick<StoredCaseTokens, 'project' | 'casePseudonym'>;
type Key = { pk: string; sk: string };

/** Parallel DynamoDB calls per store or query: enough to hide latency, few enough not to be throttled at once. */
const CONCURRENCY = 16;
const BATCH_GET_KEYS = 100;

export class LinkageRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Replaces each case's tokens. Its index entries are written first (all of them: writing one
   * again changes nothing, and a re-sent sheet so restores an entry a store never wrote), then
   * the entries of tokens it no longer carries are removed, and the record last: a store cut
   * short leaves the case's old record, so sending it again computes the same stale entries and
   * ends where a whole store would, with nothing stale left behind.
   */
  async putCaseTokens(records: readonly CaseLinkTokensRecord[]): Promise<void> {
    const { records: previous } = await this.getCaseTokens(records, true);
    const before = new Map(previous.map((r) => [`${r.project}#${r.casePseudonym}`, r.tokens]));
    const adds: WriteRequest[] = [];
    const removes: WriteRequest[] = [];
    for (const r of records) {
      for (const lookup of indexedTokens(r.tokens))
        adds.push({
          PutRequest: {
            Item: { ...tokenIndexKey(lookup, r), type: 'link-token-entry', project: r.project, casePseudonym: r.casePseudonym },
          },
        });
      for (const lookup of indexChanges(before.get(`${r.project}#${r.casePseudonym}`), r.tokens).remove)
        removes.push({ DeleteRequest: { Key: tokenIndexKey(lookup, r) } });
    }
    await this.writeAll(adds);
    await this.writeAll(removes);
    await this.writeAll(records.map((r) => ({ PutRequest: { Item: { ...caseLinkTokensKey(r), type: 'link-tokens', ...r } } })));
  }

  /**
   * The cases of the given projects whose index entries carry one of these tokens: one
   * eventually consistent Query per token, reading that token's entries only (a handful:
   * twins, namesakes born the same day, one person's cases in several projects).
   */
  async findCases(lookups: readonly TokenLookup[], projects: readonly string[]): Promise<{ cases: CaseRef[]; cost: ReadCost }> {
    const searched = new Set(projects);
    // One project: its entries only, by the sort key's prefix; several: the token's entries, kept when their project is searched.
    const only = projects.length === 1 ? projects[0] : undefined;
    const found = new Map<string, CaseRef>();
    let calls = 0;
    let readUnits = 0;
    await inParallel(lookups, async (lookup) => {
      let start: Record<string, unknown> | undefined;
      do {
        const result: QueryCommandOutput = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: only ? 'pk = :pk AND begins_with(sk, :project)' : 'pk = :pk',
            ExpressionAttributeValues: { ':pk': tokenPartition(lookup), ...(only ? { ':project': `${only}#` } : {}) },
            ProjectionExpression: '#project, casePseudonym',
            ExpressionAttributeNames: { '#project': 'project' },
            ExclusiveStartKey: start,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        calls += 1;
        readUnits += units(result.ConsumedCapacity);
        for (const item of result.Items ?? []) {
          const ref = { project: String(item.project), casePseudonym: String(item.casePseudonym) };
          if (searched.has(ref.project)) found.set(`${ref.project}#${ref.casePseudonym}`, ref);
        }
        start = result.LastEvaluatedKey;
      } while (start);
    });
    return { cases: [...found.values()], cost: { calls, readUnits } };
  }

  /** These cases' token records (of those that have one), 100 per BatchGetItem; eventually consistent unless asked. */
  async getCaseTokens(cases: readonly CaseRef[], consistent = false): Promise<{ records: StoredCaseTokens[]; cost: ReadCost }> {
    const { items, cost } = await this.getAll(
      cases.map((c) => caseLinkTokensKey(c)),
      consistent,
      ['project', 'casePseudonym', 'tokens'],
    );
    return {
      records: items.map((i) => ({ project: String(i.project), casePseudonym: String(i.casePseudonym), tokens: i.tokens as LinkTokens })),
      cost,
    };
  }

  /** Which of these pseudonyms are cases of the project: their case items' keys are read, nothing else of the project. */
  async existingCases(project: string, pseudonyms: readonly string[]): Promise<Set<string>> {
    const { items } = await this.getAll(
      [...new Set(pseudonyms)].map((p) => keys.case(project, p)),
      true,
      ['sk'],
    );
    return new Set(items.map((i) => String(i.sk).slice(PREFIX.case.length)));
  }

  private async getAll(
    all: readonly Key[],
    consistent: boolean,
    attributes: readonly string[],
  ): Promise<{ items: Record<string, unknown>[]; cost: ReadCost }> {
    const items: Record<string, unknown>[] = [];
    let calls = 0;
    let readUnits = 0;
    await inParallel(chunk(all, BATCH_GET_KEYS), async (batch) => {
      let pending: BatchGetCommandInput['RequestItems'] = {
        [this.table]: {
          Keys: batch,
          ConsistentRead: consistent,
          // By alias: `project` is one of DynamoDB's reserved words.
          ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
        },
      };
      for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt += 1) {
        if (attempt > 8) throw new TransientError('linkage tokens could not all be read; retry');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const result: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({ RequestItems: pending, ReturnConsumedCapacity: 'TOTAL' }),
        );
        calls += 1;
        readUnits += units(result.ConsumedCapacity);
        items.push(...(result.Responses?.[this.table] ?? []));
        pending = result.UnprocessedKeys;
      }
    });
    return { items, cost: { calls, readUnits } };
  }

  /** Writes the requests 25 per BatchWriteItem, CONCURRENCY batches at once, retrying what DynamoDB leaves unprocessed. */
  private async writeAll(requests: readonly WriteRequest[]): Promise<void> {
    await writeItems(this.db, this.table, requests, 'linkage tokens', { inFlight: CONCURRENCY });
  }
}

function chunk<T>(all: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < all.length; start += size) chunks.push(all.slice(start, start + size));
  return chunks;
}

/** Runs `work` on every item, at most CONCURRENCY at a time; after a failure no new item starts, and the failure is thrown. */
async function inParallel<T>(all: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < all.length && failures.length === 0) {
      const item = all[next++]!;
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, all.length) }, worker));
  if (failures.length) throw failures[0];
}

/** The capacity units of one response's ConsumedCapacity (a Query's, or a BatchGetItem's list per table). */
function units(consumed: { CapacityUnits?: number } | readonly { CapacityUnits?: number }[] | undefined): number {
  const list: readonly { CapacityUnits?: number }[] = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}
