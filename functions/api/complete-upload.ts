import { CompleteMultipartUploadCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { s3Client } from '../../layers/adapters/aws/clients';
import { BadRequest, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { buckets, intakeRepository } from '../../layers/services/commons-context';
import { uuid } from '../../layers/common/id-schemas';
import { loadSubmissionFor, requireOpen } from '../../layers/services/submission-access';

/** S3 errors that mean the caller's parts or upload id are wrong, not that we failed. */
const CLIENT_MISTAKES = new Set(['NoSuchUpload', 'InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);

/** POST /submissions/{id}/uploads/{fileId}/complete: assembles a multipart upload from its parts' ETags. */
export const handler = httpHandler(
  {
    path: z.object({ submissionId: uuid, fileId: uuid }),
    body: z
      .object({
        uploadId: z.string().min(1).max(1024),
        parts: z
          .array(z.object({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1).max(200) }).strict())
          .min(1)
          .max(10_000),
      })
      .strict(),
  },
  async function completeUpload({ caller, path, body }) {
    const submission = await loadSubmissionFor(caller, path.submissionId, 'write');
    requireOpen(submission);
    const file = await intakeRepository().getFile(submission.submissionId, path.fileId);
    if (!file) throw new NotFound('no such file in this submission');
    const numbers = body.parts.map((p) => p.partNumber);
    if (new Set(numbers).size !== numbers.length) throw new BadRequest('part numbers must be unique');
    const parts = [...body.parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ PartNumber: p.partNumber, ETag: p.etag }));
    try {
      await s3Client().send(
        new CompleteMultipartUploadCommand({
          Bucket: buckets.intake(),
          Key: file.intakeKey,
          UploadId: body.uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (CLIENT_MISTAKES.has(name)) throw new BadRequest(`the multipart upload cannot be completed: ${name}`);
      throw error;
    }
    return { statusCode: 200, body: { fileId: file.fileId, status: 'uploaded' } };
  },
);
