import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * The audit log: append-only events (who, when, what, why) in the catalog table.
 * Each event is a conditional put on a fresh id, so an event is never overwritten;
 * nothing in hilum updates or deletes one. Items:
 *   pk `AUDIT#{targetType}#{targetId}`, sk `EVENT#{at}#{eventId}` (history of one target)
 *   gsi1pk `AUDIT`, gsi1sk `{at}#{eventId}` (all events, by time)
 * Access decisions, grant changes, issued URLs and archives are audited too
 * (docs/access.md); `list` answers `GET /audit` (filters, pages).
 */
export interface AuditEvent {
  readonly eventId: string;
  /** The caller's subject (Cognito `sub`) or `system:<function>`. */
  readonly actor: string;
  /** A dotted verb: `quarantine.release`, `quarantine.reject`, `qa.config.update`, ... */
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly at: string;
  /** The written reason a curator gave, when the action takes one. */
  readonly reason?: string;
  /** Ids, rule ids, outcomes: never a DICOM value. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The caller's username (Cognito `cognito:username`), when a person acted. */
  readonly actorName?: string;
  /** Where the request came from: the source IP API Gateway saw. */
  readonly sourceIp?: string;
  /** Access decisions: allowed or denied. */
  readonly outcome?: 'allowed' | 'denied';
}

export interface AuditFilter {
  readonly actor?: string;
  readonly action?: string;
  /** `targetType:targetId` (e.g. `study:2.25.1`, `grant:<id>`), or a target type alone. */
  readonly resource?: string;
  /** ISO timestamps, inclusive. */
  readonly from?: string;
  readonly to?: string;
}

export class InvalidAuditCursor extends Error {
  override readonly name = 'InvalidAuditCursor';
}

export type NewAuditEvent = Omit<AuditEvent, 'eventId' | 'at'> & { readonly at?: string };

export class AuditLog {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    const full: AuditEvent = { ...event, eventId: randomUUID(), at: event.at ?? new Date().toISOString() };
    await this.db.send(new PutCommand({
      TableName: this.table,
      Item: {
        pk: `AUDIT#${full.targetType}#${full.targetId}`, sk: `EVENT#${full.at}#${full.eventId}`,
        gsi1pk: 'AUDIT', gsi1sk: `${full.at}#${full.eventId}`, type: 'audit', ...full,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
    return full;
  }

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
    if (filter.actor) { names['#actor'] = 'actor'; values[':actor'] = filter.actor; conditions.push('#actor = :actor'); }
    if (filter.action) { names['#action'] = 'action'; values[':action'] = filter.action; conditions.push('#action = :action'); }
    if (filter.resource && !target) { names['#tt'] = 'targetType'; values[':tt'] = filter.resource; conditions.push('#tt = :tt'); }
    const input: QueryCommandInput = target
      ? {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': `AUDIT#${target.type}#${target.id}`, ':lo': `EVENT#${lower}`, ':hi': `EVENT#${upper}`, ...values },
      }
      : {
        TableName: this.table, IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': 'AUDIT', ':lo': lower, ':hi': upper, ...values },
      };
    const items: AuditEvent[] = [];
    let start = cursor ? decodeAuditCursor(cursor) : undefined;
    do {
      const result = await this.db.send(new QueryCommand({
        ...input,
        ...(conditions.length ? { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: names } : {}),
        ScanIndexForward: false, Limit: limit - items.length, ExclusiveStartKey: start,
      }));
      for (const item of result.Items ?? []) items.push(stripAudit(item));
      start = result.LastEvaluatedKey;
    } while (start && items.length < limit);
    return { items, ...(start ? { cursor: Buffer.from(JSON.stringify(start)).toString('base64url') } : {}) };
  }

  /** A target's events, oldest first. */
  async forTarget(targetType: string, targetId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.db.send(new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
        ExpressionAttributeValues: { ':pk': `AUDIT#${targetType}#${targetId}`, ':event': 'EVENT#' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }));
      for (const item of result.Items ?? []) events.push(stripAudit(item));
      start = result.LastEvaluatedKey;
    } while (start);
    return events;
  }
}

function stripAudit(item: Record<string, unknown>): AuditEvent {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _t, ...event } = item;
  return event as unknown as AuditEvent;
}

function decodeAuditCursor(cursor: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch { /* fall through */ }
  throw new InvalidAuditCursor('the cursor is not valid');
}
