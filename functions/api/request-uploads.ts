import { randomUUID } from 'node:crypto';
import { CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { z } from 'zod';
import { SubmissionFile } from '../../layers/catalog/entities';
import { SubmissionNotOpen } from '../../layers/catalog/repository';
import { s3Client } from '../../layers/common/clients';
import { Conflict } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { logger } from '../../layers/common/powertools';
import { INTAKE_PREFIX } from '../../workflows/contracts';
import { buckets, catalog, limits } from '../shared/context';
import { planParts } from '../shared/multipart';
import { submissionPath } from '../shared/schemas';
import { loadSubmissionFor, requireOpen } from '../shared/submission-access';

const MAX_OBJECT_BYTES = 5 * 1024 ** 4;

/**
 * POST /submissions/{id}/uploads: announces files and returns presigned PUT URLs
 * into the intake bucket (multipart part URLs above the threshold). Keys carry only
 * opaque ids: a site's file names can hold patient names, so they are echoed back
 * for the caller's mapping and never stored.
 */
export const handler = httpHandler({
  roles: ['site-uploader'],
  path: submissionPath,
  body: z.object({
    files: z.array(z.object({
      name: z.string().min(1).max(1024),
      size: z.number().int().positive().max(MAX_OBJECT_BYTES),
    }).strict()).min(1).max(1000),
  }).strict(),
}, async ({ caller, path, body }) => {
  const submission = await loadSubmissionFor(caller, path.submissionId, 'write');
  requireOpen(submission);
  const bucket = buckets.intake();
  const { multipartThresholdBytes, uploadUrlTtlSeconds } = limits();
  const announcedAt = new Date().toISOString();
  const expiresAt = new Date(Date.now() + uploadUrlTtlSeconds * 1000).toISOString();

  const planned = body.files.map((file) => {
    const fileId = randomUUID();
    return { ...file, fileId, key: `${INTAKE_PREFIX}${submission.submissionId}/${fileId}` };
  });
  const records: SubmissionFile[] = planned.map((file) => ({
    submissionId: submission.submissionId, fileId: file.fileId, intakeKey: file.key, declaredSize: file.size, status: 'announced', announcedAt,
  }));
  try {
    await catalog().announceFiles(submission.submissionId, records);
  } catch (error) {
    if (error instanceof SubmissionNotOpen) throw new Conflict('the submission was sealed meanwhile');
    throw error;
  }

  const uploads = await Promise.all(planned.map(async (file) => {
    if (file.size < multipartThresholdBytes) {
      const url = await getSignedUrl(s3Client(), new PutObjectCommand({ Bucket: bucket, Key: file.key }), { expiresIn: uploadUrlTtlSeconds });
      return { name: file.name, fileId: file.fileId, size: file.size, method: 'PUT', url, expiresAt };
    }
    const created = await s3Client().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: file.key, ContentType: 'application/dicom' }));
    const uploadId = created.UploadId ?? '';
    const plan = planParts(file.size);
    const parts = await Promise.all(plan.parts.map(async (part) => ({
      ...part,
      url: await getSignedUrl(s3Client(), new UploadPartCommand({ Bucket: bucket, Key: file.key, UploadId: uploadId, PartNumber: part.partNumber }), { expiresIn: uploadUrlTtlSeconds }),
    })));
    return {
      name: file.name, fileId: file.fileId, size: file.size, expiresAt,
      multipart: { uploadId, partSize: plan.partSize, parts, complete: `/submissions/${submission.submissionId}/uploads/${file.fileId}/complete` },
    };
  }));
  logger.info('uploads announced', { submissionId: submission.submissionId, files: uploads.length, multipart: uploads.filter((u) => 'multipart' in u).length });
  return { statusCode: 201, body: { submissionId: submission.submissionId, uploads } };
});
