import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { toHex } from '../../common/bytes';
import { TransientError } from '../../common/errors';

/**
 * Signs the request with a payload hash the caller already has: @smithy/signature-v4 takes a preset
 * `x-amz-content-sha256` header as the payload's hash instead of hashing the body (a 10 MB radiograph: ~7 ms
 * of CPU). It is still a signed payload: S3 answers XAmzContentSHA256Mismatch to a body that does not match.
 */
function presetPayloadHash(command: PutObjectCommand, sha256Hex: string): void {
  command.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = sha256Hex;
      return next(args);
    },
    { step: 'build', name: 'hilumPresetPayloadHash' },
  );
}

/** DeleteObjects' most keys per request. */
const KEYS_PER_DELETE = 1000;

/** Small S3 operations the pipeline needs, on whole objects (skeleton sizes). */
export class ObjectStore {
  constructor(private readonly s3: S3Client) {}

  /**
   * Returns the object's bytes, or undefined when it does not exist. `atMost` reads no more
   * than that many bytes (a ranged GET), whatever the object has grown to since it was sized.
   */
  async getBytes(bucket: string, key: string, options: { atMost?: number } = {}): Promise<Uint8Array | undefined> {
    try {
      const range = options.atMost === undefined ? undefined : `bytes=0-${Math.max(0, options.atMost - 1)}`;
      const result = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: range } : {}) }));
      if (!result.Body) return new Uint8Array();
      return await result.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async put(
    bucket: string,
    key: string,
    body: Uint8Array,
    options: {
      contentType?: string;
      metadata?: Record<string, string>;
      /**
       * The body's SHA-256, computed once by the caller: sent as its checksum (S3 refuses the PUT when what arrived
       * differs, so a stored copy is a verified copy) and as the signature's payload hash, which S3 checks too, so
       * the SDK does not hash the body again to sign it.
       */
      sha256?: Uint8Array;
    } = {},
  ): Promise<string | undefined> {
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentLength: body.byteLength,
      ContentType: options.contentType ?? 'application/dicom',
      Metadata: options.metadata,
      ...(options.sha256 ? { ChecksumSHA256: Buffer.from(options.sha256).toString('base64') } : {}),
    });
    if (options.sha256) presetPayloadHash(command, toHex(options.sha256));
    const result = await this.s3.send(command);
    return result.ETag;
  }

  /** Copies an object; answers the copy's ETag (under SSE-KMS not its source's: S3 gives each object its own). */
  async copy(fromBucket: string, fromKey: string, toBucket: string, toKey: string): Promise<string | undefined> {
    const result = await this.s3.send(
      new CopyObjectCommand({
        Bucket: toBucket,
        Key: toKey,
        CopySource: `${fromBucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
    return result.CopyObjectResult?.ETag;
  }

  async head(bucket: string, key: string): Promise<{ size: number; etag?: string; metadata: Record<string, string> } | undefined> {
    try {
      const result = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: result.ContentLength ?? 0, etag: result.ETag, metadata: result.Metadata ?? {} };
    } catch (error) {
      if (
        error instanceof NotFound ||
        (error as { name?: string }).name === 'NotFound' ||
        (error as { name?: string }).name === 'NoSuchKey'
      )
        return undefined;
      throw error;
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  /**
   * Deletes several objects of one bucket with one DeleteObjects request per 1,000 keys (a missing key counts
   * as deleted, as for DeleteObject). Keys S3 reports as not deleted are a TransientError: a retry deletes them.
   */
  async deleteMany(bucket: string, keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += KEYS_PER_DELETE) {
      const chunk = keys.slice(start, start + KEYS_PER_DELETE);
      const result = await this.s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        // Per key S3 may answer a slow-down or an internal error: the objects stay, and the task's retry deletes them.
        throw new TransientError(`${failed.length} of ${chunk.length} objects were not deleted (${failed[0]?.Code ?? 'no code'})`);
      }
    }
  }

  /** Every key under `prefix`, all pages. */
  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: this.s3 }, { Bucket: bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    }
    return keys;
  }
}
