import {
  BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, QueryCommandInput, TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { AccessRequest } from './access-entities';
import type { Grant } from './commons-entities';
import { keys } from './keys';
import { grantScopeKey } from './repository';

export interface GrantRecord extends Grant {
  readonly grantId: string;
  readonly status: 'active' | 'revoked';
  readonly revokedBy?: string;
  readonly revokedAt?: string;
  readonly revokeReason?: string;
}

export class RequestAlreadyDecided extends Error {
  override readonly name = 'RequestAlreadyDecided';
}

/**
 * Storage of access requests and grants (single table, see docs/access.md):
 * - request `ACCESSREQ#{id}`/`ACCESSREQ` (gsi1 `ACCESSREQS` by time) + a pointer in the
 *   requester's collection `USER#{sub}`/`ACCESSREQ#{at}#{id}`, written together;
 * - grant record `GRANT#{id}`/`GRANT` (gsi1 `GRANTS` by time) + the grant in the user's
 *   collection `USER#{sub}`/`GRANT#{project | cohort#id}` that access checks read.
 * Approval writes the decision and both grant items in one transaction, conditional
 * on the request still pending. Grants carry `ttl` (their expiry) for DynamoDB TTL.
 */
export class AccessRepository {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async createRequest(request: AccessRequest): Promise<void> {
    await this.db.send(new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: this.table,
            Item: { ...keys.accessRequest(request.requestId), ...keys.accessRequestIndex(request.createdAt, request.requestId), type: 'access-request', ...request },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Put: { TableName: this.table, Item: { ...keys.userAccessRequest(request.requester, request.createdAt, request.requestId), type: 'access-request-ref', requestId: request.requestId } } },
      ],
    }));
  }

  async getRequest(requestId: string): Promise<AccessRequest | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.accessRequest(requestId), ConsistentRead: true }));
    return result.Item ? strip<AccessRequest>(result.Item) : undefined;
  }

  /** Every request, newest first (the DAC's queue), optionally by status. */
  async listRequests(status?: string): Promise<AccessRequest[]> {
    const items = await this.queryIndex('ACCESSREQS');
    const all = items.map((i) => strip<AccessRequest>(i));
    return status ? all.filter((r) => r.status === status) : all;
  }

  /** One requester's requests, newest first. */
  async listRequestsOf(subject: string): Promise<AccessRequest[]> {
    const refs = await this.queryCollection(`USER#${subject}`, 'ACCESSREQ#', false);
    const ids = refs.map((r) => String(r.requestId));
    const found: AccessRequest[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      let pending: Record<string, { Keys: Record<string, unknown>[] }> | undefined = { [this.table]: { Keys: batch.map((id) => keys.accessRequest(id)) } };
      while (pending && Object.keys(pending).length) {
        const result = await this.db.send(new BatchGetCommand({ RequestItems: pending }));
        for (const item of result.Responses?.[this.table] ?? []) found.push(strip<AccessRequest>(item));
        pending = result.UnprocessedKeys as typeof pending;
      }
    }
    return found.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  /** Approves a pending request and creates its grant, atomically. */
  async approve(request: AccessRequest, decision: { by: string; at: string; reason: string }, grant: GrantRecord & { ttl: number }): Promise<AccessRequest> {
    const decided: AccessRequest = { ...request, status: 'approved', decidedBy: decision.by, decidedAt: decision.at, reason: decision.reason, grantId: grant.grantId, ...(grant.expiresAt ? { expiresAt: grant.expiresAt } : {}) };
    await this.decide(decided, [
      { Put: { TableName: this.table, Item: { ...keys.grantRecord(grant.grantId), ...keys.grantIndex(grant.grantedAt, grant.grantId), type: 'grant-record', ...grant } } },
      // A newer grant of the same scope replaces the older one in the user's collection.
      { Put: { TableName: this.table, Item: { ...keys.grant(grant.subject, grantScopeKey(grant)), type: 'grant', ...grant } } },
    ]);
    return decided;
  }

  async deny(request: AccessRequest, decision: { by: string; at: string; reason: string }): Promise<AccessRequest> {
    const decided: AccessRequest = { ...request, status: 'denied', decidedBy: decision.by, decidedAt: decision.at, reason: decision.reason };
    await this.decide(decided, []);
    return decided;
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.grantRecord(grantId), ConsistentRead: true }));
    return result.Item ? strip<GrantRecord>(result.Item) : undefined;
  }

  /** Every grant record, newest first. */
  async listGrants(): Promise<GrantRecord[]> {
    return (await this.queryIndex('GRANTS')).map((i) => strip<GrantRecord>(i));
  }

  /**
   * Revokes a grant: its record says so and the user's grant item goes (only if it is
   * still this grant; a newer grant of the same scope is another grant). Returns false
   * when it was already revoked.
   */
  async revoke(grant: GrantRecord, by: string, at: string, reason?: string): Promise<boolean> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.table, Key: keys.grantRecord(grant.grantId),
              UpdateExpression: `SET #status = :revoked, revokedBy = :by, revokedAt = :at${reason ? ', revokeReason = :reason' : ''}`,
              ConditionExpression: '#status = :active',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':revoked': 'revoked', ':active': 'active', ':by': by, ':at': at, ...(reason ? { ':reason': reason } : {}) },
            },
          },
        ],
      }));
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [{
          Delete: {
            TableName: this.table, Key: keys.grant(grant.subject, grantScopeKey(grant)),
            ConditionExpression: 'grantId = :id', ExpressionAttributeValues: { ':id': grant.grantId },
          },
        }],
      }));
    } catch (error) {
      // The user's item already holds a newer grant (or none): nothing of this grant is left to delete.
      if (!(error instanceof TransactionCanceledException)) throw error;
    }
    return true;
  }

  private async decide(decided: AccessRequest, extra: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: { ...keys.accessRequest(decided.requestId), ...keys.accessRequestIndex(decided.createdAt, decided.requestId), type: 'access-request', ...decided },
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':pending': 'pending' },
            },
          },
          ...extra,
        ],
      }));
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new RequestAlreadyDecided('the request was decided meanwhile');
      }
      throw error;
    }
  }

  private async queryIndex(partition: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const result = await this.db.send(new QueryCommand({
        TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false, ExclusiveStartKey: start,
      }));
      items.push(...(result.Items ?? []));
      start = result.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async queryCollection(pk: string, prefix: string, forward: boolean): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const result = await this.db.send(new QueryCommand({
        TableName: this.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix }, ScanIndexForward: forward, ConsistentRead: true, ExclusiveStartKey: start,
      }));
      items.push(...(result.Items ?? []));
      start = result.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _t, ttl: _ttl, ...rest } = item;
  return rest as T;
}
