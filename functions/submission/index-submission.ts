import { summarizeStudy } from '../../layers/catalog/entities';
import { summarizeSeries } from '../../layers/catalog/commons-entities';
import { assertOwnedBy } from '../../layers/catalog/ownership';
import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { submissionInput, type IndexResult } from '../../layers/pipeline/submission-states';
import { catalog } from '../../layers/services/commons-context';

/** The submission does not exist or is still open. */
export class SubmissionNotSealed extends Error {
  override readonly name = 'SubmissionNotSealed';
}

/**
 * Builds (or rebuilds) the study and series records of every study the submission
 * touched, from its instances. A study keeps the project and site it was claimed
 * for; one claimed by another project or site, or holding another's instances, is
 * refused (StudyOwnershipInconsistent fails the workflow) rather than re-owned.
 */
export const handler = taskHandler(submissionInput, async ({ submissionId }): Promise<IndexResult> => {
  const submission = await catalog().getSubmission(submissionId);
  if (!submission || submission.status === 'open') throw new SubmissionNotSealed('the submission is not sealed');
  const studyUids = await catalog().listSubmissionStudyUids(submissionId);
  let instanceCount = 0;
  const now = new Date().toISOString();
  for (const studyUid of studyUids) {
    const instances = await catalog().listInstances(studyUid);
    if (instances.length === 0) continue;
    // A study staged before claims existed has no owner yet: this submission's, if its instances agree.
    const owner = await catalog().getStudyOwner(studyUid) ?? submission;
    assertOwnedBy(owner, [submission]);
    await catalog().upsertStudyAggregate(summarizeStudy(instances, now, owner));
    await catalog().putSeries(summarizeSeries(instances, now));
    instanceCount += instances.length;
  }
  logger.info('indexed', { submissionId, studies: studyUids.length, instances: instanceCount });
  return { submissionId, studyUids, instanceCount };
});
