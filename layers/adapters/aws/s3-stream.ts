import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3Client } from './clients';

/** An object's body as a Node stream (nothing buffered whole). */
export async function objectStream(bucket: string, key: string): Promise<Readable> {
  const result = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!(result.Body instanceof Readable)) throw new Error('S3 returned no stream body');
  return result.Body;
}

/**
 * Streams a body into S3 as a multipart upload (8 MiB parts, 4 in flight), so an
 * archive of any size passes through a Lambda's memory a few parts at a time.
 */
export async function uploadStream(bucket: string, key: string, body: Readable, contentType: string): Promise<void> {
  await new Upload({
    client: s3Client(),
    params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
    partSize: 8 * 1024 * 1024,
    queueSize: 4,
  }).done();
}
