import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { submissionInput, type PublishResult } from '../../layers/pipeline/submission-states';
import { intakeRepository, publicationRepository } from '../../layers/services/commons-context';
import { SubmissionNotSealed } from './index-submission';

/**
 * Makes the submission's indexed studies visible to researchers; a repeated event
 * publishes nothing twice. Only studies of the submission's own project and site
 * are published (a conditional write); any other is refused, never published.
 */
export const handler = taskHandler(submissionInput, async function publishSubmission({ submissionId }): Promise<PublishResult> {
  const submission = await intakeRepository().getSubmission(submissionId);
  if (!submission || submission.status === 'open') throw new SubmissionNotSealed('the submission is not sealed');
  const now = new Date().toISOString();
  let published = 0;
  for (const studyUid of await intakeRepository().listSubmissionStudyUids(submissionId)) {
    if (await publicationRepository().publishStudy(studyUid, now, { project: submission.project, site: submission.site })) published += 1;
  }
  const first = await intakeRepository().markSubmissionPublished(submissionId, now);
  logger.info('published', { submissionId, studies: published, alreadyPublished: !first });
  return { submissionId, published, alreadyPublished: !first };
});
