import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, AuditFilter } from '../../../catalog/audit-entities';
import { decodeCursor, encodeCursor, queryAllByPrefix, readPages, stripKeys } from './table-io';

export class InvalidAuditCursor extends Error {
  override readonly name = 'InvalidAuditCursor';
}

/**
 * Reading the audit log that audit-log.ts appends to (items described there):
 * `list` answers `GET /audit` (filters, pages), `forTarget` one target's history
 * (a quarantined file's curation).
 */
export class AuditHistory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Events newest first, filtered, a page at a time. A full resource (`type:id`) reads
   * its own item collection; otherwise the time-ordered index, between from and to.
   * Actor, action and a bare target type are filters on the read items, so a page may
   * hold fewer than `limit` events while a cursor still follows.
   */
  async list(filter: AuditFilter, limit: number, cursor?: string): Promise<{ items: AuditEvent[]; cursor?: string }> {
    const sep = filter.resource?.indexOf(':') ?? -1;
    const target = filter.resource && sep > 0 ? { type: filter.resource.slice(0, sep), id: filter.resource.slice(sep + 1) } : undefined;
    const lower = filter.from ?? '0000';
    const upper = `${filter.to ?? '9999'}\uffff`;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const conditions: string[] = [];
    if (filter.actor) {
      names['#actor'] = 'actor';
      values[':actor'] = filter.actor;
      conditions.push('#actor = :actor');
    }
    if (filter.action) {
      names['#action'] = 'action';
      values[':action'] = filter.action;
      conditions.push('#action = :action');
    }
    if (filter.resource && !target) {
      names['#tt'] = 'targetType';
      values[':tt'] = filter.resource;
      conditions.push('#tt = :tt');
    }
    const input: QueryCommandInput = target
      ? {
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: {
            ':pk': `AUDIT#${target.type}#${target.id}`,
            ':lo': `EVENT#${lower}`,
            ':hi': `EVENT#${upper}`,
            ...values,
          },
        }
      : {
          TableName: this.table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': 'AUDIT', ':lo': lower, ':hi': upper, ...values },
        };
    const { items, next } = await readPages(
      this.db,
      {
        query: {
          ...input,
          ...(conditions.length ? { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: names } : {}),
          ScanIndexForward: false,
        },
      },
      { limit, start: cursor ? decodeCursor(cursor, () => new InvalidAuditCursor('the cursor is not valid')) : undefined },
    );
    return { items: items.map((item) => stripKeys<AuditEvent>(item)), ...(next ? { cursor: encodeCursor(next) } : {}) };
  }

  /** A target's events, oldest first. */
  async forTarget(targetType: string, targetId: string): Promise<AuditEvent[]> {
    return queryAllByPrefix<AuditEvent>(this.db, this.table, `AUDIT#${targetType}#${targetId}`, 'EVENT#');
  }
}
