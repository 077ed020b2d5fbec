import { Conflict } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { intakeRepository } from '../../layers/services/commons-context';
import { announceIfReady } from '../../layers/services/submission-readiness';
import { submissionPath } from '../../layers/common/id-schemas';
import { sealedSubmissionSchema } from '../../layers/catalog/submission-schemas';
import { loadSubmissionFor } from '../../layers/services/submission-access';

/**
 * POST /submissions/{id}/complete: seals the submission (no more files). It is
 * published once every announced file has an outcome, which may already be so.
 */
export const handler = httpHandler(
  { path: submissionPath, responses: { 202: sealedSubmissionSchema } },
  async function completeSubmission({ caller, path }) {
    const submission = await loadSubmissionFor(caller, path.submissionId, 'write');
    if (submission.status !== 'open') {
      // Sealing twice is what a retrying client does; answer as the first time did.
      return { statusCode: 202, body: { submissionId: submission.submissionId, status: submission.status } };
    }
    if (submission.fileCount === 0) throw new Conflict('the submission has no files; announce uploads first');
    const sealed = await intakeRepository().sealSubmission(submission.submissionId, new Date().toISOString());
    const status = sealed?.status ?? (await intakeRepository().getSubmission(submission.submissionId))?.status ?? 'sealed';
    logger.info('submission sealed', { submissionId: submission.submissionId, files: submission.fileCount });
    await announceIfReady(submission.submissionId);
    return { statusCode: 202, body: { submissionId: submission.submissionId, status } };
  },
);
