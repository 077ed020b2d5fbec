import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, NewAuditEvent } from '../../../catalog/audit-entities';

/**
 * The audit log: append-only events (who, when, what, why) in the catalog table.
 * Each event is a conditional put on a fresh id, so an event is never overwritten;
 * nothing in hilum updates or deletes one. Items:
 *   pk `AUDIT#{targetType}#{targetId}`, sk `EVENT#{at}#{eventId}` (history of one target)
 *   gsi1pk `AUDIT`, gsi1sk `{at}#{eventId}` (all events, by time)
 * Access decisions, grant changes, issued URLs and archives are audited too
 * (docs/access.md). Reading the log is audit-history.ts's: every API request
 * appends, few read.
 */
export class AuditLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    const full: AuditEvent = { ...event, eventId: randomUUID(), at: event.at ?? new Date().toISOString() };
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `AUDIT#${full.targetType}#${full.targetId}`,
          sk: `EVENT#${full.at}#${full.eventId}`,
          gsi1pk: 'AUDIT',
          gsi1sk: `${full.at}#${full.eventId}`,
          type: 'audit',
          ...full,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return full;
  }
}
