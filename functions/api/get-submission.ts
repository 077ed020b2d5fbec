import { z } from 'zod';
import { waitingFiles } from '../../layers/catalog/reconcile';
import { httpHandler } from '../../layers/adapters/aws/http';
import { intakeRepository } from '../../layers/services/commons-context';
import { submissionPath } from '../../layers/common/id-schemas';
import { loadSubmissionFor } from '../../layers/services/submission-access';

/**
 * GET /submissions/{id}: the submission, its counts, each file's outcome (ids, rule or error codes, no values),
 * and `waiting`: the files with no outcome yet and since when they were announced. With `files=none`, the
 * submission and its counts alone: what `hilum upload --wait` looks at until the submission is published, one
 * read of the submission instead of a query of every file (1,000 for a CT series) at each look.
 */
export const handler = httpHandler(
  { path: submissionPath, query: z.object({ files: z.enum(['none']).optional() }) },
  async function getSubmission({ caller, path, query }) {
    const submission = await loadSubmissionFor(caller, path.submissionId, 'read');
    if (query.files === 'none') return { statusCode: 200, body: submission };
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
  },
);
