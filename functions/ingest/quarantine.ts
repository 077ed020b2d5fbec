import { createHash } from 'node:crypto';
import { logger, metrics } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { quarantineInput, type QuarantineResult } from '../../layers/pipeline/ingest-states';
import { buckets, objects, intakeRepository } from '../../layers/services/commons-context';
import { parseIntakeKey } from '../../layers/pipeline/object-keys';
import { announceIfReady } from '../../layers/services/submission-readiness';
import { quarantineReason, quarantineFindings } from '../../layers/ingest/quarantine-reason';
import {
  encodeDecision,
  putQuarantineSidecar,
  writeQuarantineRecords,
  type QuarantineDecision,
} from '../../layers/services/quarantine-records';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Moves a file that failed or did not pass QA to the quarantine bucket with a JSON
 * sidecar saying why (rule ids and value-free messages), records the outcome, and
 * only then removes the intake original. Nothing is deleted without a copy.
 */
export const handler = taskHandler(quarantineInput, async function quarantineObject(full): Promise<QuarantineResult> {
  const bucket = full.detail.bucket.name;
  const key = full.detail.object.key;
  const ids = parseIntakeKey(key);
  const reason = quarantineReason(full);
  const target = ids ? `quarantine/${ids.submissionId}/${ids.fileId}` : `quarantine/unannounced/${key.replace(/[^A-Za-z0-9._/-]/g, '_')}`;
  const now = new Date().toISOString();

  const file = ids ? await intakeRepository().getFile(ids.submissionId, ids.fileId) : undefined;
  const present = await objects().head(bucket, key);
  const findings = quarantineFindings(full, reason);
  const deid = full.ingest?.deid;
  const why: QuarantineWhy = {
    reasonCode: present ? reason.code : 'ObjectMissing',
    reason: present ? reason.message : `the intake object was gone when it was quarantined (${reason.code})`,
    rules: [...new Set(findings.filter((f) => f.severity === 'quarantine').map((f) => f.ruleId))],
    failedAfter: reason.failedAfter,
    findings,
    ...(deid?.textRegions?.length ? { textRegions: deid.textRegions } : {}),
  };
  const digest = digestOf(why);
  const decisionAt = (quarantinedAt: string): QuarantineDecision => ({
    ...why,
    quarantinedAt,
    ...(deid ? { studyUid: deid.studyUid, seriesUid: deid.seriesUid, sopUid: deid.sopUid } : {}),
  });

  if (file && file.status !== 'announced') {
    // A retry of the attempt that recorded this outcome (same reason, same findings) finishes what it may have left undone.
    if (file.status === 'quarantined' && file.quarantineDigest === digest && ids) {
      await writeQuarantineRecords({ ...ids, intakeKey: key }, target, decisionAt(file.handledAt ?? now), present !== undefined);
      if (present) await objects().delete(bucket, key);
      await announceIfReady(ids.submissionId);
    } else logger.info('already handled', { ...ids, status: file.status });
    return { quarantineKey: file.quarantineKey ?? target, reason: file.reason ?? reason.message };
  }

  // The copy comes first: once the outcome is recorded, the reconciler may delete the intake original. Its own ETag
  // (under SSE-KMS not the original's) is what a withdrawal compares.
  const copiedEtag = present ? await objects().copy(bucket, key, buckets.quarantine(), target) : undefined;
  if (!ids || !file) {
    await putQuarantineSidecar(target, decisionAt(now), key, ids);
    if (present) await objects().delete(bucket, key);
    logger.warn('quarantined an object no submission announced', { reasonCode: why.reasonCode, failedAfter: why.failedAfter });
    return { quarantineKey: target, reason: why.reason };
  }

  // One attempt wins the outcome; the sidecar and the curator's record are written by the winner only, so
  // a duplicated execution with another reason (a fault in another task) never overwrites or contradicts them.
  const recorded = await intakeRepository().recordQuarantined({
    submissionId: ids.submissionId,
    fileId: ids.fileId,
    quarantineKey: target,
    reasonCode: why.reasonCode,
    reason: why.reason,
    quarantineDigest: digest,
    // Killed after this write and before the two below, the reconciler writes them from the stored decision.
    quarantineDecision: encodeDecision(decisionAt(now)),
    handledAt: now,
  });
  if (recorded) {
    await writeQuarantineRecords({ ...ids, intakeKey: key }, target, decisionAt(now), present !== undefined);
    metrics.addMetric('FilesQuarantined', MetricUnit.Count, 1);
    logger.warn('quarantined', { ...ids, reasonCode: why.reasonCode, failedAfter: why.failedAfter });
  } else {
    const outcome = await intakeRepository().getFile(ids.submissionId, ids.fileId);
    // Another execution of the same file (a duplicated event, a redrive) staged it first: the copy this attempt
    // made is nobody's, and it holds PHI. (Quarantined by another attempt: the copy is the same original's.)
    if (outcome && outcome.status !== 'quarantined' && outcome.status !== 'announced') {
      await withdrawCopy(target, copiedEtag);
      logger.warn('quarantine withdrawn: the file had another outcome', { ...ids, status: outcome.status, reasonCode: why.reasonCode });
    } else logger.info('another attempt quarantined the file first', { ...ids, reasonCode: why.reasonCode });
  }
  // IngestObject keeps the de-identified copy in memory: there is no work copy to delete (the reconciler removes
  // any an older execution left).
  if (present) await objects().delete(bucket, key);
  // Also when an earlier attempt recorded the file: its announcement may not have gone out.
  await announceIfReady(ids.submissionId);
  return { quarantineKey: target, reason: why.reason };
});

/** Why a file is quarantined (the stored decision without its time and UIDs): what a retry's digest compares. */
type QuarantineWhy = Omit<QuarantineDecision, 'quarantinedAt' | 'studyUid' | 'seriesUid' | 'sopUid'>;

/** Identifies the content of a quarantine decision, so a retry of the winning attempt can tell it is one. */
function digestOf(why: QuarantineWhy): string {
  return createHash('sha256').update(JSON.stringify(why)).digest('hex');
}

/** Removes the copy of the original this attempt made, never what a later writer put under the same key. */
async function withdrawCopy(target: string, copiedEtag: string | undefined): Promise<void> {
  if (!copiedEtag) return;
  const copy = await objects().head(buckets.quarantine(), target);
  if (copy && copy.etag === copiedEtag) await objects().delete(buckets.quarantine(), target);
}
