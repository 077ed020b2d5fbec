import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { indexSubmissionStudies } from '../../layers/services/study-index';
import { submissionInput, type IndexResult } from '../../layers/pipeline/submission-states';
import { intakeRepository, studyIndexStore } from '../../layers/services/commons-context';

/** The submission does not exist or is still open. */
export class SubmissionNotSealed extends Error {
  override readonly name = 'SubmissionNotSealed';
}

/**
 * Builds (or rebuilds) the study and series records of every study the submission
 * touched, from its instances, and publishes each study in its aggregate's write
 * (StudyQa ran before: what is left is what gets published). A study keeps the
 * project and site it was claimed for; one claimed by another project or site, or
 * holding another's instances, is refused (StudyOwnershipInconsistent fails the
 * workflow) before any study is written, rather than re-owned.
 */
export const handler = taskHandler(submissionInput, async function indexSubmission({ submissionId }): Promise<IndexResult> {
  const submission = await intakeRepository().getSubmission(submissionId);
  if (!submission || submission.status === 'open') throw new SubmissionNotSealed('the submission is not sealed');
  const { studyUids, instanceCount, published } = await indexSubmissionStudies(studyIndexStore(), submission, new Date().toISOString());
  logger.info('indexed', { submissionId, studies: studyUids.length, instances: instanceCount, published });
  return { submissionId, studyUids, instanceCount };
});
