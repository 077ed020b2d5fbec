import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The audit log: append-only events (who, when, what, why) in the catalog table.
 * Each event is a conditional put on a fresh id, so an event is never overwritten;
 * nothing in hilum updates or deletes one. Items:
 *   pk `AUDIT#{targetType}#{targetId}`, sk `EVENT#{at}#{eventId}` (history of one target)
 *   gsi1pk `AUDIT`, gsi1sk `{at}#{eventId}` (all events, by time)
 * The access issue extends this API (more actions, more queries); keep it small.
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
      for (const item of result.Items ?? []) {
        const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _t, ...event } = item;
        events.push(event as AuditEvent);
      }
      start = result.LastEvaluatedKey;
    } while (start);
    return events;
  }
}
