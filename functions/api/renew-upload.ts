import { z } from 'zod';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { buckets, objects, intakeRepository } from '../../layers/services/commons-context';
import { presignUpload } from '../../layers/services/presign-upload';
import { uuid } from '../../layers/common/id-schemas';
import { loadSubmissionFor, requireOpen } from '../../layers/services/submission-access';

/**
 * POST /submissions/{id}/uploads/{fileId}/renew: fresh presigned URLs for a file
 * announced earlier, so an interrupted or expired upload resumes without
 * announcing it again. `received` tells the client the object already arrived,
 * so it never uploads a file twice.
 */
export const handler = httpHandler(
  {
    path: z.object({ submissionId: uuid, fileId: uuid }),
    body: z.object({ uploadId: z.string().min(1).max(1024).optional() }).strict(),
  },
  async function renewUpload({ caller, path, body }) {
    const submission = await loadSubmissionFor(caller, path.submissionId, 'write');
    requireOpen(submission);
    const file = await intakeRepository().getFile(submission.submissionId, path.fileId);
    if (!file) throw new NotFound('no such file in this submission');
    const received = file.status !== 'announced' || (await objects().head(buckets.intake(), file.intakeKey)) !== undefined;
    if (received) return { statusCode: 200, body: { fileId: file.fileId, received: true } };
    const upload = await presignUpload(
      { submissionId: submission.submissionId, fileId: file.fileId, key: file.intakeKey, size: file.declaredSize },
      body.uploadId,
    );
    return { statusCode: 200, body: { received: false, ...upload } };
  },
);
