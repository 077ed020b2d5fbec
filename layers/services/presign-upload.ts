import { CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '../adapters/aws/clients';
import { presignPutUrls } from '../adapters/aws/s3-put-urls';
import { buckets, limits } from './commons-context';
import { planParts } from '../common/upload-parts';

export interface UploadTarget {
  readonly submissionId: string;
  readonly fileId: string;
  readonly key: string;
  readonly size: number;
}

export type PresignedUpload =
  | { fileId: string; size: number; method: 'PUT'; url: string; expiresAt: string }
  | {
      fileId: string;
      size: number;
      expiresAt: string;
      multipart: {
        uploadId: string;
        partSize: number;
        parts: { partNumber: number; offset: number; size: number; url: string }[];
        complete: string;
      };
    };

/**
 * The announced size is signed into every URL: `content-length` is a signed header, so S3
 * refuses (403) a PUT of any other size, and a site cannot make the pipeline read more than
 * it declared (issue 11, S8). A client must send exactly the announced bytes.
 */
const SIGN_CONTENT_LENGTH = { signableHeaders: new Set(['content-length']) };

/**
 * The uploads of a whole announcement, in the order of `targets`: the small objects' PUT URLs signed together
 * (one instant, the SDK's middleware stack run once rather than per URL), each large object's parts as
 * `presignUpload` makes them.
 */
export async function presignUploads(targets: readonly UploadTarget[]): Promise<PresignedUpload[]> {
  const { multipartThresholdBytes, uploadUrlTtlSeconds } = limits();
  const signingDate = new Date();
  const expiresAt = new Date(signingDate.getTime() + uploadUrlTtlSeconds * 1000).toISOString();
  const single = targets.filter((target) => target.size < multipartThresholdBytes);
  const urls = await presignPutUrls(s3Client(), buckets.intake(), single, {
    expiresIn: uploadUrlTtlSeconds,
    signingDate,
    ...SIGN_CONTENT_LENGTH,
  });
  const singleUrl = new Map(single.map((target, i) => [target, urls[i]!]));
  return Promise.all(
    targets.map(async (target): Promise<PresignedUpload> => {
      const url = singleUrl.get(target);
      return url === undefined ? presignUpload(target) : { fileId: target.fileId, size: target.size, method: 'PUT', url, expiresAt };
    }),
  );
}

/**
 * Presigned PUT for a small object, or presigned part URLs for a multipart upload
 * (an existing `uploadId` is kept, so a resumed upload keeps its finished parts).
 * Each URL binds its size: the object's, or its part's.
 */
export async function presignUpload(target: UploadTarget, existingUploadId?: string): Promise<PresignedUpload> {
  const bucket = buckets.intake();
  const { multipartThresholdBytes, uploadUrlTtlSeconds } = limits();
  const expiresAt = new Date(Date.now() + uploadUrlTtlSeconds * 1000).toISOString();
  if (target.size < multipartThresholdBytes && !existingUploadId) {
    const url = await getSignedUrl(s3Client(), new PutObjectCommand({ Bucket: bucket, Key: target.key, ContentLength: target.size }), {
      expiresIn: uploadUrlTtlSeconds,
      ...SIGN_CONTENT_LENGTH,
    });
    return { fileId: target.fileId, size: target.size, method: 'PUT', url, expiresAt };
  }
  const uploadId =
    existingUploadId ??
    (await s3Client().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: target.key, ContentType: 'application/dicom' })))
      .UploadId ??
    '';
  const plan = planParts(target.size);
  const parts = await Promise.all(
    plan.parts.map(async (part) => ({
      ...part,
      url: await getSignedUrl(
        s3Client(),
        new UploadPartCommand({
          Bucket: bucket,
          Key: target.key,
          UploadId: uploadId,
          PartNumber: part.partNumber,
          ContentLength: part.size,
        }),
        { expiresIn: uploadUrlTtlSeconds, ...SIGN_CONTENT_LENGTH },
      ),
    })),
  );
  return {
    fileId: target.fileId,
    size: target.size,
    expiresAt,
    multipart: {
      uploadId,
      partSize: plan.partSize,
      parts,
      complete: `/submissions/${target.submissionId}/uploads/${target.fileId}/complete`,
    },
  };
}
