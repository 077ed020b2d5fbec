import { BatchGetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccessRequest, GrantRecord } from '../../../catalog/access-entities';
import type { Grant } from '../../../catalog/commons-entities';
import * as keys from '../../../catalog/item-keys';
import { grantScopeKey, PREFIX } from '../../../catalog/keys';
import { conditionalWrite, getItem, queryAllByPrefix, queryIndexAll, stripKeys, type TransactItem } from './table-io';

export class RequestAlreadyDecided extends Error {
  override readonly name = 'RequestAlreadyDecided';
}

/**
 * Who was given what: users' grants, access requests and grant records (single
 * table, see docs/access.md and docs/catalog.md; projects and cases are
 * project-repository.ts's):
 * - request `ACCESSREQ#{id}`/`ACCESSREQ` (gsi1 `ACCESSREQS` by time) + a pointer in the
 *   requester's collection `USER#{sub}`/`ACCESSREQ#{at}#{id}`, written together;
 * - grant record `GRANT#{id}`/`GRANT` (gsi1 `GRANTS` by time) + the grant in the user's
 *   collection `USER#{sub}`/`GRANT#{project | cohort#id}` that access checks read.
 * Approval writes the decision and both grant items in one transaction, conditional
 * on the request still pending. Grants carry `ttl` (their expiry) for DynamoDB TTL.
 */
export class AccessRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  // ---- grants ---------------------------------------------------------------------------------------

  /** Writes a grant into its user's collection (what access checks read), without a record: approve() writes grants with records. */
  async putGrant(grant: Grant): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: { ...keys.grant(grant.subject, grantScopeKey(grant)), type: 'grant', ...grant } }),
    );
  }

  /** The grant hook of the visibility rule: a user's grants, read from the table. */
  async grantsFor(caller: { readonly subject: string }): Promise<Grant[]> {
    return queryAllByPrefix<Grant>(this.db, this.table, keys.grant(caller.subject, '').pk, PREFIX.grant);
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    const item = await getItem<GrantRecord & { ttl?: number }>(this.db, this.table, keys.grantRecord(grantId));
    return item ? withoutTtl(item) : undefined;
  }

  /** Every grant record, newest first. */
  async listGrants(): Promise<GrantRecord[]> {
    return (await queryIndexAll<GrantRecord & { ttl?: number }>(this.db, this.table, 'GRANTS', false)).map(withoutTtl);
  }

  /**
   * Revokes a grant: its record says so and the user's grant item goes (only if it is
   * still this grant; a newer grant of the same scope is another grant). Returns false
   * when it was already revoked.
   */
  async revoke(grant: GrantRecord, by: string, at: string, reason?: string): Promise<boolean> {
    const recorded = await conditionalWrite(
      this.db,
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.grantRecord(grant.grantId),
              UpdateExpression: `SET #status = :revoked, revokedBy = :by, revokedAt = :at${reason ? ', revokeReason = :reason' : ''}`,
              ConditionExpression: '#status = :active',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':revoked': 'revoked',
                ':active': 'active',
                ':by': by,
                ':at': at,
                ...(reason ? { ':reason': reason } : {}),
              },
            },
          },
        ],
      }),
    );
    if (!recorded.written) {
      if (recorded.failedAt.includes(0)) return false;
      throw recorded.cause;
    }
    // Refused: the user's item already holds a newer grant (or none): nothing of this grant is left to delete.
    await conditionalWrite(
      this.db,
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: this.table,
              Key: keys.grant(grant.subject, grantScopeKey(grant)),
              ConditionExpression: 'grantId = :id',
              ExpressionAttributeValues: { ':id': grant.grantId },
            },
          },
        ],
      }),
    );
    return true;
  }

  // ---- access requests ------------------------------------------------------------------------------

  async createRequest(request: AccessRequest): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.accessRequest(request.requestId),
                ...keys.accessRequestIndex(request.createdAt, request.requestId),
                type: 'access-request',
                ...request,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.userAccessRequest(request.requester, request.createdAt, request.requestId),
                type: 'access-request-ref',
                requestId: request.requestId,
              },
            },
          },
        ],
      }),
    );
  }

  async getRequest(requestId: string): Promise<AccessRequest | undefined> {
    const item = await getItem<AccessRequest & { ttl?: number }>(this.db, this.table, keys.accessRequest(requestId));
    return item ? withoutTtl(item) : undefined;
  }

  /** Every request, newest first (the DAC's queue), optionally by status. */
  async listRequests(status?: string): Promise<AccessRequest[]> {
    const all = (await queryIndexAll<AccessRequest & { ttl?: number }>(this.db, this.table, 'ACCESSREQS', false)).map(withoutTtl);
    return status ? all.filter((r) => r.status === status) : all;
  }

  /** One requester's requests, newest first. */
  async listRequestsOf(subject: string): Promise<AccessRequest[]> {
    const refs = await queryAllByPrefix<{ requestId: string }>(this.db, this.table, `USER#${subject}`, 'ACCESSREQ#', false);
    const ids = refs.map((r) => String(r.requestId));
    const found: AccessRequest[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      let pending: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.table]: { Keys: batch.map((id) => keys.accessRequest(id)) },
      };
      while (pending && Object.keys(pending).length) {
        const result = await this.db.send(new BatchGetCommand({ RequestItems: pending }));
        for (const item of result.Responses?.[this.table] ?? []) found.push(withoutTtl(stripKeys<AccessRequest & { ttl?: number }>(item)));
        pending = result.UnprocessedKeys as typeof pending;
      }
    }
    return found.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  /** Approves a pending request and creates its grant, atomically. */
  async approve(
    request: AccessRequest,
    decision: { by: string; at: string; reason: string },
    grant: GrantRecord & { ttl: number },
  ): Promise<AccessRequest> {
    const decided: AccessRequest = {
      ...request,
      status: 'approved',
      decidedBy: decision.by,
      decidedAt: decision.at,
      reason: decision.reason,
      grantId: grant.grantId,
      ...(grant.expiresAt ? { expiresAt: grant.expiresAt } : {}),
    };
    await this.decide(decided, [
      {
        Put: {
          TableName: this.table,
          Item: { ...keys.grantRecord(grant.grantId), ...keys.grantIndex(grant.grantedAt, grant.grantId), type: 'grant-record', ...grant },
        },
      },
      // A newer grant of the same scope replaces the older one in the user's collection.
      { Put: { TableName: this.table, Item: { ...keys.grant(grant.subject, grantScopeKey(grant)), type: 'grant', ...grant } } },
    ]);
    return decided;
  }

  async deny(request: AccessRequest, decision: { by: string; at: string; reason: string }): Promise<AccessRequest> {
    const decided: AccessRequest = {
      ...request,
      status: 'denied',
      decidedBy: decision.by,
      decidedAt: decision.at,
      reason: decision.reason,
    };
    await this.decide(decided, []);
    return decided;
  }

  private async decide(decided: AccessRequest, extra: TransactItem[]): Promise<void> {
    const result = await conditionalWrite(
      this.db,
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.accessRequest(decided.requestId),
                ...keys.accessRequestIndex(decided.createdAt, decided.requestId),
                type: 'access-request',
                ...decided,
              },
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':pending': 'pending' },
            },
          },
          ...extra,
        ],
      }),
    );
    if (result.written) return;
    if (result.failedAt.includes(0)) throw new RequestAlreadyDecided('the request was decided meanwhile');
    throw result.cause;
  }
}

/** Grant records and requests are returned without their TTL attribute (a storage detail). */
function withoutTtl<T extends { ttl?: number }>(item: T): Omit<T, 'ttl'> {
  const { ttl: _ttl, ...rest } = item;
  return rest;
}
