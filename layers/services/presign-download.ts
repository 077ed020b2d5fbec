import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DEFAULT_URL_POLICY, urlLifetimeSeconds } from '../access';
import { s3Client } from '../adapters/aws/clients';
import { buckets, limits } from './commons-context';

/**
 * A presigned GET of one released object: its lifetime from the access policy
 * (DOWNLOAD_URL_TTL_SECONDS is the base, default 15 minutes, plus a minute per
 * 100 MB, capped at an hour), scoped to the object's key.
 */
export async function presignDownload(object: {
  objectKey: string;
  size: number;
  fileName?: string;
  contentType?: string;
}): Promise<{ url: string; expiresAt: string; ttlSeconds: number }> {
  const ttlSeconds = urlLifetimeSeconds(object.size, { ...DEFAULT_URL_POLICY, baseSeconds: limits().downloadUrlTtlSeconds });
  const url = await getSignedUrl(
    s3Client(),
    new GetObjectCommand({
      Bucket: buckets.released(),
      Key: object.objectKey,
      ...(object.fileName ? { ResponseContentDisposition: `attachment; filename="${object.fileName}"` } : {}),
      ...(object.contentType ? { ResponseContentType: object.contentType } : {}),
    }),
    { expiresIn: ttlSeconds },
  );
  return { url, ttlSeconds, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
}
