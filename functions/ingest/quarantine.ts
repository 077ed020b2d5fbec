import { logger, metrics } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { quarantineInput, type QuarantineResult } from '../../layers/pipeline/ingest-states';
import { buckets, objects, intakeRepository } from '../../layers/services/commons-context';
import { parseIntakeKey, quarantineKeys, workKey } from '../../layers/pipeline/object-keys';
import { announceIfReady } from '../../layers/services/submission-readiness';
import { quarantineReason, quarantineFindings } from '../../layers/ingest/quarantine-reason';
import { qaRepository } from '../../layers/services/qa-context';
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
  if (file && file.status !== 'announced') {
    logger.info('already handled', { ...ids, status: file.status });
    return { quarantineKey: file.quarantineKey ?? target, reason: file.reason ?? reason.message };
  }

  const present = await objects().head(bucket, key);
  if (present) await objects().copy(bucket, key, buckets.quarantine(), target);
  const findings = quarantineFindings(full, reason);
  const sidecar = {
    submissionId: ids?.submissionId ?? null,
    fileId: ids?.fileId ?? null,
    intakeKey: key,
    reasonCode: present ? reason.code : 'ObjectMissing',
    reason: present ? reason.message : `the intake object was gone when it was quarantined (${reason.code})`,
    rules: [...new Set(findings.filter((f) => f.severity === 'quarantine').map((f) => f.ruleId))],
    failedAfter: reason.failedAfter,
    findings,
    objectKind: 'original',
    quarantinedAt: now,
  };
  await objects().put(buckets.quarantine(), `${target}.json`, Buffer.from(JSON.stringify(sidecar, null, 2)), {
    contentType: 'application/json',
  });

  // The curator's view of it (GET /quarantine): a record per announced file, idempotent on redelivery.
  const submission = ids && file && present ? await intakeRepository().getSubmission(ids.submissionId) : undefined;
  let curatorRecord = false;
  if (ids && submission) {
    curatorRecord = await qaRepository().putQuarantine({
      quarantineId: ids.fileId,
      submissionId: ids.submissionId,
      fileId: ids.fileId,
      project: submission.project,
      site: submission.site,
      objectKind: 'original',
      objectKey: target,
      sidecarKey: quarantineKeys(ids.submissionId, ids.fileId).sidecar,
      reasonCode: sidecar.reasonCode,
      rules: sidecar.rules,
      findings,
      status: 'quarantined',
      quarantinedAt: now,
      failedAfter: reason.failedAfter,
      ...(full.deid ? { studyUid: full.deid.studyUid, seriesUid: full.deid.seriesUid, sopUid: full.deid.sopUid } : {}),
    });
  }

  const recorded =
    ids && file
      ? await intakeRepository().recordQuarantined({
          submissionId: ids.submissionId,
          fileId: ids.fileId,
          quarantineKey: target,
          reasonCode: sidecar.reasonCode,
          reason: sidecar.reason,
          handledAt: now,
        })
      : false;
  if (ids && file && !recorded) {
    const outcome = await intakeRepository().getFile(ids.submissionId, ids.fileId);
    // Another execution of the same file (a duplicated event, a redrive) staged it first: the copy, sidecar and
    // curator record this attempt made are nobody's, and the copy holds PHI.
    if (outcome && outcome.status !== 'quarantined' && outcome.status !== 'announced') {
      await withdraw({
        target,
        sidecarKey: `${target}.json`,
        copiedEtag: present?.etag,
        quarantinedAt: now,
        fileId: ids.fileId,
        curatorRecord,
      });
      logger.warn('quarantine withdrawn: the file had another outcome', { ...ids, status: outcome.status, reasonCode: sidecar.reasonCode });
      if (present) await objects().delete(bucket, key);
      await objects().delete(bucket, workKey(ids.submissionId, ids.fileId));
      return { quarantineKey: target, reason: sidecar.reason };
    }
  }
  if (present) await objects().delete(bucket, key);
  if (ids) await objects().delete(bucket, workKey(ids.submissionId, ids.fileId));
  if (recorded) metrics.addMetric('FilesQuarantined', MetricUnit.Count, 1);
  logger.warn(recorded ? 'quarantined' : 'quarantine copy made; the file already had an outcome', {
    ...ids,
    reasonCode: sidecar.reasonCode,
    failedAfter: reason.failedAfter,
  });
  // Also when an earlier attempt recorded the file: its announcement may not have gone out.
  if (ids) await announceIfReady(ids.submissionId);
  return { quarantineKey: target, reason: sidecar.reason };
});

/**
 * Removes what a quarantine attempt made for a file that got another outcome: only what is
 * still this attempt's (the copy of the original it copied, its own sidecar, its own open
 * record), never what a later writer put under the same keys (a study rule sending the file back).
 */
async function withdraw(made: {
  target: string;
  sidecarKey: string;
  copiedEtag: string | undefined;
  quarantinedAt: string;
  fileId: string;
  curatorRecord: boolean;
}): Promise<void> {
  const quarantineBucket = buckets.quarantine();
  const copy = made.copiedEtag ? await objects().head(quarantineBucket, made.target) : undefined;
  if (copy && copy.etag === made.copiedEtag) await objects().delete(quarantineBucket, made.target);
  const sidecar = await objects().getBytes(quarantineBucket, made.sidecarKey);
  const written = sidecar
    ? (JSON.parse(Buffer.from(sidecar).toString('utf8')) as { quarantinedAt?: string; objectKind?: string })
    : undefined;
  if (written?.quarantinedAt === made.quarantinedAt && written.objectKind === 'original')
    await objects().delete(quarantineBucket, made.sidecarKey);
  if (made.curatorRecord) await qaRepository().withdrawQuarantine(made.fileId, made.quarantinedAt);
}
