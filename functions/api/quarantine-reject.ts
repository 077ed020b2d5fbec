import { z } from 'zod';
import { Conflict, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { auditLog, buckets, objects } from '../../layers/services/commons-context';
import { qaRepository } from '../../layers/services/qa-context';
import { quarantinePath } from './quarantine-get';

/**
 * POST /quarantine/{id}/reject (curators): the file will never be published.
 * The quarantined object is deleted; the record (with the decision), the
 * value-free sidecar and the audit event stay.
 */
export const handler = httpHandler(
  {
    path: quarantinePath,
    body: z.object({ reason: z.string().trim().min(3).max(2000) }).strict(),
  },
  async function rejectQuarantined({ caller, path, body }) {
    const record = await qaRepository().getQuarantine(path.quarantineId);
    if (!record) throw new NotFound('no such quarantine record');
    const at = new Date().toISOString();
    if (record.status === 'released') throw new Conflict('the file was already released');
    const decided =
      record.status === 'rejected' ||
      (await qaRepository().reviewQuarantine(record.quarantineId, {
        action: 'rejected',
        by: caller.subject,
        at,
        reason: body.reason,
        overrides: [],
      }));
    if (!decided) throw new Conflict('the record was decided by someone else meanwhile');
    if (record.status !== 'rejected') {
      await auditLog().append({
        actor: caller.subject,
        action: 'quarantine.reject',
        targetType: 'quarantine',
        targetId: record.quarantineId,
        at,
        reason: body.reason,
        details: { fileId: record.fileId, submissionId: record.submissionId, rules: record.rules, objectKind: record.objectKind },
      });
    }
    // A repeated reject finishes the deletion if an earlier call stopped short.
    await objects().delete(buckets.quarantine(), record.objectKey);
    logger.info('quarantine rejected', { quarantineId: record.quarantineId, submissionId: record.submissionId });
    return { statusCode: 200, body: { quarantineId: record.quarantineId, status: 'rejected' } };
  },
);
