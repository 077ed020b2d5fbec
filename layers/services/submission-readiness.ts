import { needsSubmissionWorkflow } from '../catalog/entities';
import { logger } from '../adapters/aws/powertools';
import { pipelineEvents, intakeRepository } from './commons-context';

/** After this long, an announced submission that is still not published may be announced again. */
export const READY_ANNOUNCEMENT_STALE_MS = 15 * 60 * 1000;

/**
 * Who announces: the pipeline (the last file's task, the seal call) or the reconciler, whose
 * announcements the Standard workflow runs whatever the submission's size: what it announces
 * is a submission whose earlier workflow did not finish (or never started), which may be one
 * that outlasted an Express execution's 5 minutes.
 */
export type AnnouncedBy = 'pipeline' | 'reconciler';

/**
 * Announces a submission as ready once it is sealed and every file has an outcome
 * (or again, once stale, when it was published but its workflow did not reach its end).
 * The last file's task, the seal call and the reconciler all call this; a
 * conditional claim on the submission lets exactly one of them announce (so the
 * submission workflow runs once), and a claim that went stale without a
 * publication is taken again, so an announcement is never lost for good.
 */
export async function announceIfReady(
  submissionId: string,
  now = new Date(),
  staleMs = READY_ANNOUNCEMENT_STALE_MS,
  by: AnnouncedBy = 'pipeline',
): Promise<boolean> {
  const submission = await intakeRepository().getSubmission(submissionId);
  if (!submission || !needsSubmissionWorkflow(submission)) return false;
  const at = now.toISOString();
  if (!(await intakeRepository().claimReadyAnnouncement(submissionId, at, new Date(now.getTime() - staleMs).toISOString()))) return false;
  try {
    await pipelineEvents().submissionReady({ submissionId, fileCount: submission.fileCount, redrive: by === 'reconciler' });
  } catch (error) {
    await intakeRepository().releaseReadyAnnouncement(submissionId, at);
    throw error;
  }
  logger.info('submission ready', { submissionId, files: submission.fileCount, quarantined: submission.quarantinedCount, by });
  return true;
}
