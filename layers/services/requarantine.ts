import type { Instance, Submission } from '../catalog/entities';
import type { Finding } from '../qa';
import { logger, metrics } from '../adapters/aws/powertools';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { buckets, objects } from './commons-context';
import { quarantineKeys } from '../pipeline/object-keys';
import { qaRepository } from './qa-context';

/**
 * Sends a staged (de-identified, not yet published by this submission) file back
 * to quarantine because a series/study rule failed: copy the released object to
 * the quarantine bucket, write the sidecar and the curator record, flip the file's
 * outcome and drop its instance record in one transaction, and only then delete
 * the released copy. Nothing is deleted without a copy.
 */
export async function requarantineStaged(
  submission: Submission,
  instance: Instance,
  findings: readonly Finding[],
  now: string,
): Promise<boolean> {
  const { object, sidecar } = quarantineKeys(submission.submissionId, instance.fileId);
  const blocking = findings.filter((f) => f.severity === 'quarantine');
  const rules = [...new Set(blocking.map((f) => f.ruleId))];
  const reason = blocking
    .map((f) => `${f.ruleId}: ${f.message}`)
    .join('; ')
    .slice(0, 500);
  const stored = findings.map(({ ruleId, severity, message }) => ({ ruleId, severity, message }));

  const present = await objects().head(buckets.released(), instance.objectKey);
  if (present) await objects().copy(buckets.released(), instance.objectKey, buckets.quarantine(), object);
  const body = {
    submissionId: submission.submissionId,
    fileId: instance.fileId,
    objectKind: 'deidentified',
    releasedKey: instance.objectKey,
    reasonCode: rules[0] ?? 'qa',
    reason,
    rules,
    findings: stored,
    failedAfter: 'StudyQa',
    quarantinedAt: now,
  };
  await objects().put(buckets.quarantine(), sidecar, Buffer.from(JSON.stringify(body, null, 2)), { contentType: 'application/json' });
  await qaRepository().putQuarantine({
    quarantineId: instance.fileId,
    submissionId: submission.submissionId,
    fileId: instance.fileId,
    project: submission.project,
    site: submission.site,
    objectKind: 'deidentified',
    objectKey: object,
    sidecarKey: sidecar,
    reasonCode: body.reasonCode,
    rules,
    findings: stored,
    status: 'quarantined',
    quarantinedAt: now,
    failedAfter: 'StudyQa',
    studyUid: instance.studyUid,
    seriesUid: instance.seriesUid,
    sopUid: instance.sopUid,
  });
  const moved = await qaRepository().moveStagedToQuarantine(
    { submissionId: submission.submissionId, fileId: instance.fileId, quarantineKey: object, reasonCode: body.reasonCode, reason, at: now },
    instance,
  );
  if (moved && present) await objects().delete(buckets.released(), instance.objectKey);
  metrics.addMetric('FilesQuarantinedByStudyRules', MetricUnit.Count, moved ? 1 : 0);
  logger.warn('staged file sent back to quarantine', { submissionId: submission.submissionId, fileId: instance.fileId, rules, moved });
  return moved;
}
