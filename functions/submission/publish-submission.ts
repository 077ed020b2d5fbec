import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { submissionInput, type PublishResult } from '../../layers/pipeline/submission-states';
import { intakeRepository, publicationRepository } from '../../layers/services/commons-context';
import { SubmissionNotSealed } from './index-submission';
import { StudyOwnershipInconsistent } from '../../layers/catalog/ownership';

/**
 * Marks the submission published once its indexed studies are: IndexSubmission publishes each study in its
 * aggregate's write, so this reads them (one strongly consistent BatchGetItem per 100, no write) and publishes only
 * an indexed study found unpublished (an IndexSubmission of before that change, or a study a curator's admission
 * re-indexed without publishing); a repeated event publishes nothing twice. Only studies of the submission's own
 * project and site are published (a conditional write); any other is refused, never published.
 */
export const handler = taskHandler(submissionInput, async function publishSubmission({ submissionId }): Promise<PublishResult> {
  const submission = await intakeRepository().getSubmission(submissionId);
  if (!submission || submission.status === 'open') throw new SubmissionNotSealed('the submission is not sealed');
  const now = new Date().toISOString();
  const owner = { project: submission.project, site: submission.site };
  const studyUids = await intakeRepository().listSubmissionStudyUids(submissionId);
  const studies = await publicationRepository().getStudies(studyUids);
  let published = 0;
  let publishedNow = 0;
  for (const studyUid of studyUids) {
    const study = studies.get(studyUid);
    if (study && (study.project !== owner.project || study.site !== owner.site)) {
      throw new StudyOwnershipInconsistent('the study belongs to another project or site; it is not published');
    }
    // Not indexed (no instance left after StudyQa): nothing to publish, as publishStudy's condition would refuse it.
    if (!study || !(study.instanceCount > 0)) continue;
    if (study.status === 'published') published += 1;
    else if (await publicationRepository().publishStudy(studyUid, now, owner)) {
      published += 1;
      publishedNow += 1;
    }
  }
  const first = await intakeRepository().markSubmissionPublished(submissionId, now);
  logger.info('published', { submissionId, studies: published, publishedHere: publishedNow, alreadyPublished: !first });
  return { submissionId, published, alreadyPublished: !first };
});
