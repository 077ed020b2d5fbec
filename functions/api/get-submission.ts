import { waitingFiles } from '../../layers/catalog/reconcile';
import { httpHandler } from '../../layers/adapters/aws/http';
import { intakeRepository } from '../../layers/services/commons-context';
import { submissionPath } from '../../layers/common/id-schemas';
import { loadSubmissionFor } from '../../layers/services/submission-access';

/**
 * GET /submissions/{id}: the submission, its counts, each file's outcome (ids, rule or error codes, no values),
 * and `waiting`: the files with no outcome yet and since when they were announced.
 */
export const handler = httpHandler({ path: submissionPath }, async function getSubmission({ caller, path }) {
  const submission = await loadSubmissionFor(caller, path.submissionId, 'read');
  const files = await intakeRepository().listFiles(submission.submissionId);
  return {
    statusCode: 200,
    body: {
      ...submission,
      files: files.map((f) => ({
        fileId: f.fileId,
        declaredSize: f.declaredSize,
        status: f.status,
        ...(f.studyUid ? { studyUid: f.studyUid } : {}),
        ...(f.reasonCode ? { reasonCode: f.reasonCode, reason: f.reason } : {}),
      })),
      waiting: waitingFiles(files),
    },
  };
});
