import { paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import type { FileStatus, SubmissionFile } from '../../layers/catalog/entities';
import type { QuarantineStatus } from '../../layers/catalog/qa-entities';
import {
  fileRefOf,
  isReleasedInstanceKey,
  isSettled,
  planReconcile,
  quarantineRefOf,
  type ListedObject,
  type ReleasedObject,
} from '../../layers/catalog/reconcile';
import { s3Client } from '../../layers/adapters/aws/clients';
import { TransientError } from '../../layers/common/errors';
import { logger, metrics } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { INTAKE_PREFIX, WORK_PREFIX } from '../../layers/pipeline/object-keys';
import { buckets, objects, pipelineEvents, intakeRepository, publicationRepository } from '../../layers/services/commons-context';
import { announceIfReady } from '../../layers/services/submission-readiness';
import { qaRepository } from '../../layers/services/qa-context';
import { markMissingFiles } from '../../layers/services/missing-files';
import { finishInterruptedQuarantine } from '../../layers/services/quarantine-records';

/** Default grace: longer than an ingest execution normally takes, short enough that nothing waits an afternoon. */
export const DEFAULT_RECONCILE_GRACE_SECONDS = 15 * 60;
/**
 * Released objects are judged only while younger than this (plus the grace): an orphan is
 * found by one of the runs of that window, and each run's catalog look-ups stay bounded by a
 * day of staging, not by the size of the bucket. An operator may pass a longer one.
 */
export const DEFAULT_RELEASED_LOOKBACK_HOURS = 24;

/**
 * The reconciler (scheduled): re-drives announced files whose intake object sits
 * past the grace period with no outcome (an event lost, an execution killed),
 * marks never-received files of sealed submissions missing after their project's
 * grace, announces sealed submissions whose files are all handled (and again, after a
 * stale period, published ones whose workflow did not reach its end), and deletes
 * what crashed work left: intake originals and work copies of handled files (a
 * quarantined one's sidecar and curator record written first if a killed Quarantine
 * left them unwritten), and
 * released objects no catalog record points at. The decisions are
 * layers/catalog/reconcile.ts; this lists, looks up and acts. Logs counts only.
 */
export const handler = taskHandler(
  z
    .object({
      now: z.string().datetime().optional(),
      graceSeconds: z.number().nonnegative().optional(),
      releasedLookbackHours: z.number().positive().optional(),
      /** After how long an announcement without publication is taken again (default 15 minutes; the local commons may shorten it). */
      announceStaleSeconds: z.number().positive().optional(),
    })
    .passthrough(),
  async function reconcileIntake({ now, graceSeconds, releasedLookbackHours, announceStaleSeconds }) {
    const at = now ? new Date(now) : new Date();
    const graceMs = (graceSeconds ?? DEFAULT_RECONCILE_GRACE_SECONDS) * 1000;
    const intakeBucket = buckets.intake();
    const releasedBucket = buckets.released();
    const quarantineBucket = buckets.quarantine();
    const lookbackMs = (releasedLookbackHours ?? DEFAULT_RELEASED_LOOKBACK_HOURS) * 3600_000;
    const [intakeObjects, workObjects, releasedListed, quarantineListed] = await Promise.all([
      listObjects(intakeBucket, INTAKE_PREFIX),
      listObjects(intakeBucket, WORK_PREFIX),
      listObjects(releasedBucket, 'studies/'),
      listObjects(quarantineBucket, 'quarantine/'),
    ]);
    // Quarantine objects are judged within the same window as released ones: the bucket keeps every quarantined file.
    const quarantineObjects = quarantineListed.filter(
      (o) => quarantineRefOf(o.key) && isSettled(o, at, graceMs) && !isSettled(o, at, graceMs + lookbackMs),
    );

    const fileStatus = new Map<string, FileStatus>();
    const files = new Map<string, SubmissionFile>();
    const submissionIds = new Set(
      [
        ...[...intakeObjects, ...workObjects].map((o) => fileRefOf(o.key)?.split('/')[0]),
        ...quarantineObjects.map((o) => quarantineRefOf(o.key)?.split('/')[0]),
      ].filter((s): s is string => !!s),
    );
    for (const submissionId of submissionIds) {
      for (const file of await intakeRepository().listFiles(submissionId)) {
        fileStatus.set(`${file.submissionId}/${file.fileId}`, file.status);
        files.set(`${file.submissionId}/${file.fileId}`, file);
      }
    }
    // Only settled objects are looked up: a younger one may be a Stage between its copy and its record.
    const releasedObjects: ReleasedObject[] = [];
    for (const object of releasedListed) {
      if (!isReleasedInstanceKey(object.key) || !isSettled(object, at, graceMs)) continue;
      if (isSettled(object, at, graceMs + lookbackMs)) continue;
      const [, studyUid, seriesUid, file] = object.key.split('/') as [string, string, string, string];
      const sopUid = file.replace(/\.dcm$/, '');
      const recordedNow = async () => (await publicationRepository().getInstance(studyUid, seriesUid, sopUid))?.objectKey === object.key;
      let recorded = await recordedNow();
      let claimantStatus: FileStatus | undefined;
      if (!recorded) {
        // While the file that claimed the SOP waits, its (re-driven) Stage may be between its copy and its transaction.
        // Once it has an outcome no Stage records the object any more: the record read after that is final.
        const claimant = await qaRepository().getSopClaimant(studyUid, seriesUid, sopUid);
        claimantStatus = claimant ? (await intakeRepository().getFile(claimant.submissionId, claimant.fileId))?.status : undefined;
        if (claimantStatus !== 'announced') recorded = await recordedNow();
      }
      releasedObjects.push({ ...object, recorded, ...(claimantStatus ? { claimantStatus } : {}) });
    }

    // The curator record of each staged file with something in quarantine: a released one keeps its copy.
    const quarantineRecordStatus = new Map<string, QuarantineStatus>();
    for (const ref of new Set(quarantineObjects.map((o) => quarantineRefOf(o.key)!))) {
      if (fileStatus.get(ref) !== 'staged') continue;
      const record = await qaRepository().getQuarantine(ref.split('/')[1]!);
      if (record) quarantineRecordStatus.set(ref, record.status);
    }

    const actions = planReconcile({
      now: at,
      graceMs,
      intakeObjects,
      workObjects,
      releasedObjects,
      fileStatus,
      quarantineObjects,
      quarantineRecordStatus,
    });
    const sizes = new Map(intakeObjects.map((o) => [o.key, o.size]));
    const failed = await pipelineEvents().redriveIntake(
      intakeBucket,
      actions.redrive.map((key) => ({ key, size: sizes.get(key) ?? 0 })),
    );
    let quarantineFinished = 0;
    for (const key of actions.finishQuarantine) {
      const file = files.get(fileRefOf(key)!);
      if (file && (await finishInterruptedQuarantine({ ...file, intakeKey: key }))) quarantineFinished += 1;
    }
    for (const key of [...actions.deleteIntake, ...actions.deleteWork]) await objects().delete(intakeBucket, key);
    for (const key of actions.deleteReleased) await objects().delete(releasedBucket, key);
    for (const key of actions.deleteQuarantine) await objects().delete(quarantineBucket, key);
    for (const ref of actions.withdrawQuarantineRecords) {
      const record = await qaRepository().getQuarantine(ref.split('/')[1]!);
      if (record?.status === 'quarantined') await qaRepository().withdrawQuarantine(record.quarantineId, record.quarantinedAt);
    }

    let missing = 0;
    let announced = 0;
    const unfinished = await qaRepository().listUnfinishedSubmissions();
    const sealed = unfinished.filter((s) => s.status === 'sealed');
    for (const submission of sealed) missing += (await markMissingFiles(submission, at)).length;
    // Sealed with every file handled, or published with the QA report or search snapshot not done: the workflow (again).
    const staleMs = announceStaleSeconds !== undefined ? announceStaleSeconds * 1000 : undefined;
    for (const submission of unfinished) {
      if (await announceIfReady(submission.submissionId, at, staleMs, 'reconciler')) announced += 1;
    }

    const counts = {
      stuck: actions.redrive.length,
      redriven: actions.redrive.length - failed,
      missing,
      announced,
      intakeDeleted: actions.deleteIntake.length,
      quarantineFinished,
      workDeleted: actions.deleteWork.length,
      releasedDeleted: actions.deleteReleased.length,
      quarantineDeleted: actions.deleteQuarantine.length,
      sealedSubmissions: sealed.length,
      unfinishedPublished: unfinished.length - sealed.length,
    };
    metrics.addMetric('StuckFiles', MetricUnit.Count, counts.stuck);
    metrics.addMetric(
      'OrphansDeleted',
      MetricUnit.Count,
      counts.intakeDeleted + counts.workDeleted + counts.releasedDeleted + counts.quarantineDeleted,
    );
    logger.info('reconciled', counts);
    if (failed > 0) throw new TransientError('some redrive events were not accepted');
    return counts;
  },
);

async function listObjects(bucket: string, prefix: string): Promise<(ListedObject & { size: number })[]> {
  const found: (ListedObject & { size: number })[] = [];
  for await (const page of paginateListObjectsV2({ client: s3Client() }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) {
      if (o.Key && o.LastModified) found.push({ key: o.Key, lastModified: o.LastModified, size: o.Size ?? 0 });
    }
  }
  return found;
}
