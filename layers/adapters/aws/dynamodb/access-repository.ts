import {
  BatchGetCommand,
  BatchWriteCommand,
  BatchWriteCommandInput,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../../common/errors';
import type { AccessRequest, GrantRecord } from '../../../catalog/access-entities';
import type { Case, Grant, Project } from '../../../catalog/commons-entities';
import { grantScopeKey, keys, PREFIX, PROJECTS_PARTITION } from '../../../catalog/keys';
import { conditionalWrite, getItem, queryAllByPrefix, queryIndexAll, stripKeys, type TransactItem } from './table-io';

export class RequestAlreadyDecided extends Error {
  override readonly name = 'RequestAlreadyDecided';
}

/**
 * Who may see what: projects (with their sites and cases), users' grants, access
 * requests and grant records (single table, see docs/access.md and docs/catalog.md):
 * - project `PROJECT#{id}`/`PROJECT` (gsi1 `PROJECTS`), its cases `PROJECT#{id}`/`CASE#{pseudonym}`,
 *   and which cases a submission supplied `SUBMISSION#{id}`/`CASE#{pseudonym}`;
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

  // ---- projects and cases ---------------------------------------------------------------------------

  /** Creates or updates a project; its creation time and creator survive updates. */
  async putProject(project: Project): Promise<Project> {
    const { projectId, createdAt, createdBy, ...rest } = project;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const set = (name: string, value: unknown, onlyIfNew = false) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(onlyIfNew ? `#${name} = if_not_exists(#${name}, :${name})` : `#${name} = :${name}`);
    };
    for (const [name, value] of Object.entries({ ...rest, type: 'project', projectId, ...keys.projectIndex(projectId) }))
      if (value !== undefined) set(name, value);
    set('createdAt', createdAt, true);
    set('createdBy', createdBy, true);
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.project(projectId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stripKeys<Project>(result.Attributes);
  }

  /** Replaces the sites that may contribute to an existing project; undefined when there is no such project. */
  async setProjectSites(projectId: string, sites: readonly string[], updatedAt: string): Promise<Project | undefined> {
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: keys.project(projectId),
        UpdateExpression: 'SET #sites = :sites, #updatedAt = :updatedAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#sites': 'sites', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':sites': sites, ':updatedAt': updatedAt },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.written ? stripKeys<Project>(result.attributes) : undefined;
  }

  async getProject(projectId: string): Promise<Project | undefined> {
    return getItem<Project>(this.db, this.table, keys.project(projectId));
  }

  async listProjects(): Promise<Project[]> {
    return queryIndexAll<Project>(this.db, this.table, PROJECTS_PARTITION, true);
  }

  /** Upserts cases (25 per batch) and records which submission supplied them. */
  async putCases(cases: readonly Case[]): Promise<void> {
    const items = cases.flatMap((c) => [
      { ...keys.case(c.project, c.casePseudonym), type: 'case', ...c },
      {
        ...keys.submissionCase(c.submissionId, c.casePseudonym),
        type: 'submission-case',
        project: c.project,
        casePseudonym: c.casePseudonym,
      },
    ]);
    for (let start = 0; start < items.length; start += 25) {
      let pending: NonNullable<BatchWriteCommandInput['RequestItems']> = {
        [this.table]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; Object.keys(pending).length > 0; attempt += 1) {
        if (attempt > 8) throw new TransientError('cases could not all be written; retry');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = result.UnprocessedItems ?? {};
      }
    }
  }

  async getCase(project: string, casePseudonym: string): Promise<Case | undefined> {
    return getItem<Case>(this.db, this.table, keys.case(project, casePseudonym));
  }

  async listCases(project: string): Promise<Case[]> {
    return queryAllByPrefix<Case>(this.db, this.table, keys.project(project).pk, PREFIX.case);
  }

  async listSubmissionCases(submissionId: string): Promise<{ project: string; casePseudonym: string }[]> {
    return queryAllByPrefix<{ project: string; casePseudonym: string }>(this.db, this.table, keys.submission(submissionId).pk, PREFIX.case);
  }

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
