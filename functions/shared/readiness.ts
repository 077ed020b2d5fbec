import { isReadyToPublish } from '../../layers/catalog/entities';
import { logger } from '../../layers/common/powertools';
import { catalog, pipelineEvents } from './context';

/**
 * Announces a submission as ready once it is sealed and every file has an outcome.
 * Both the last file's task and the seal call this; both may announce, and the
 * submission workflow is idempotent, so a duplicate is harmless and none is missed.
 */
export async function announceIfReady(submissionId: string): Promise<boolean> {
  const submission = await catalog().getSubmission(submissionId);
  if (!submission || !isReadyToPublish(submission)) return false;
  await pipelineEvents().submissionReady({ submissionId });
  logger.info('submission ready', { submissionId, files: submission.fileCount, quarantined: submission.quarantinedCount });
  return true;
}
