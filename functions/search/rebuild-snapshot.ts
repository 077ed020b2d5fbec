import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { submissionInput, type RebuildSnapshotResult } from '../../layers/pipeline/submission-states';
import { intakeRepository } from '../../layers/services/commons-context';
import { refreshLiveStudies } from '../../layers/services/refresh-live-snapshot';

/**
 * After a submission is published: the live search snapshot with this
 * submission's studies added or refreshed (incremental: the previous snapshot's
 * rows plus these, re-encoded), written as a new version, and the pointer moved.
 * The work is bounded by the snapshot's size plus this submission's studies: a
 * cases.csv that changes demographics of studies published earlier reaches search
 * at the next release cut, which rebuilds every row from the catalog.
 * A concurrent rebuild makes the pointer swap fail with a TransientError, and the
 * workflow's Retry rebuilds on top of the winner.
 */
export const handler = taskHandler(submissionInput, async function rebuildSearchSnapshot({ submissionId }): Promise<RebuildSnapshotResult> {
  const started = Date.now();
  const { pointer, changed } = await refreshLiveStudies(await intakeRepository().listSubmissionStudyUids(submissionId));
  // The workflow's last step: from now on the reconciler has nothing to run again for this submission.
  await intakeRepository().markSubmissionWorkflowCompleted(submissionId);
  logger.info('search snapshot rebuilt', {
    submissionId,
    version: pointer.version,
    studies: pointer.studies,
    changed,
    ms: Date.now() - started,
  });
  return { submissionId, version: pointer.version, studies: pointer.studies, changed };
});
