import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  paginateListObjectsV2,
  PutObjectCommand,
  type PutObjectCommandOutput,
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

/** A GET whose headers are in and whose body is not yet read (ObjectStore.open). */
export interface OpenedObject {
  /** The object's whole size, from the answer's headers. */
  readonly size: number;
  /**
   * Reads the answer's body (at most the `atMost` bytes asked for) into a buffer of its length, new or lent by the
   * caller (`into(length)`, wholly overwritten): one copy of each byte.
   */
  read(into?: (length: number) => Uint8Array): Promise<Uint8Array>;
  /** Drops the body unread: its connection is closed, nothing more of it is received. */
  abandon(): void;
}

/** The object's whole size from a ranged GET's `Content-Range: bytes 0-N/SIZE`, or the answer's length without one. */
export function wholeSizeOf(answer: Pick<GetObjectCommandOutput, 'ContentRange' | 'ContentLength'>): number | undefined {
  if (answer.ContentRange !== undefined) {
    const total = /^bytes \d+-\d+\/(\d+)$/.exec(answer.ContentRange)?.[1];
    return total === undefined ? undefined : Number(total);
  }
  return answer.ContentLength;
}

function openedObject(result: GetObjectCommandOutput, atMost: number): OpenedObject {
  const body = result.Body as (AsyncIterable<Uint8Array> & { destroy?(): void }) | undefined;
  const abandon = () => body?.destroy?.();
  const size = wholeSizeOf(result);
  const length = result.ContentLength;
  if (size === undefined || length === undefined) {
    // Not an answer S3 gives to a GET: its body is not read.
    abandon();
    throw new TransientError("the GET answer does not say the object's size");
  }
  return {
    size,
    abandon,
    read: async (into) => {
      // A store that ignored the range answers the whole object: its size is the caller's to refuse, never a big read.
      if (length > atMost) {
        abandon();
        throw new TransientError(`the GET answer has ${length} bytes, more than the ${atMost} asked for`);
      }
      const bytes = into ? into(length) : new Uint8Array(length);
      if (bytes.byteLength !== length) {
        abandon();
        throw new RangeError(`memory of ${bytes.byteLength} bytes lent for a body of ${length}`);
      }
      let at = 0;
      try {
        for await (const chunk of body ?? []) {
          if (at + chunk.byteLength > length) throw new TransientError('the GET answer sent more bytes than its Content-Length');
          bytes.set(chunk, at);
          at += chunk.byteLength;
        }
      } finally {
        if (at !== length) abandon();
      }
      if (at !== length) throw new TransientError('the GET answer ended before its Content-Length');
      return bytes;
    },
  };
}

/**
 * The most keys deleteMany deletes with a DELETE each (free) rather than one DeleteObjects (a POST, priced as a PUT):
 * an ingest batch's staging group of radiographs (layers/services/ingest-batch.ts STAGING_GROUP_BYTES).
 */
export const SINGLE_DELETES_AT_MOST = 3;

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

  /**
   * Starts a GET of at most `atMost` bytes (a ranged GET) and answers once its headers are in, before a byte of the
   * body is read: the object's whole size (the total of the answer's Content-Range, which S3 gives for a ranged
   * GET) can be checked first, and a body not wanted abandoned. Undefined when the object does not exist.
   */
  async open(bucket: string, key: string, options: { atMost: number }): Promise<OpenedObject | undefined> {
    let result: GetObjectCommandOutput;
    try {
      result = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${Math.max(0, options.atMost - 1)}` }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (error instanceof NoSuchKey || name === 'NoSuchKey') return undefined;
      // bytes=0-N is unsatisfiable only for an object of no bytes.
      if (name === 'InvalidRange') return { size: 0, read: async () => new Uint8Array(), abandon: () => undefined };
      throw error;
    }
    return openedObject(result, options.atMost);
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
       * the SDK does not hash the body again to sign it. The PUT then resolves only once the stored copy is
       * confirmed (see below); a refused checksum is a TransientError: the bytes changed between the caller's hash
       * and S3 (in transit, in memory), which a retry, hashing them again, repairs.
       */
      sha256?: Uint8Array;
    } = {},
  ): Promise<string | undefined> {
    const checksum = options.sha256 ? Buffer.from(options.sha256).toString('base64') : undefined;
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentLength: body.byteLength,
      ContentType: options.contentType ?? 'application/dicom',
      Metadata: options.metadata,
      ...(checksum ? { ChecksumSHA256: checksum } : {}),
    });
    if (options.sha256) presetPayloadHash(command, toHex(options.sha256));
    let result: PutObjectCommandOutput;
    try {
      result = await this.s3.send(command);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (checksum && (name === 'BadDigest' || name === 'XAmzContentSHA256Mismatch'))
        throw new TransientError(`S3 refused the PUT: what arrived does not match its SHA-256 (${name})`);
      throw error;
    }
    if (checksum) await this.confirmStored(bucket, key, body.byteLength, checksum, result.ChecksumSHA256);
    return result.ETag;
  }

  /**
   * A checksummed PUT's stored copy confirmed. S3 verified the bytes against the checksum before storing them and
   * answers the checksum it stored: the same value confirms the copy without a HEAD. An answer without one (a
   * store that does not keep checksums: the local emulator's s3rver path for objects over 64 MiB) is confirmed by
   * a HEAD of its size, as every copy was before.
   */
  private async confirmStored(bucket: string, key: string, size: number, sent: string, answered: string | undefined): Promise<void> {
    if (answered !== undefined) {
      if (answered !== sent) throw new TransientError("the stored copy's checksum is not the one sent");
      return;
    }
    const stored = await this.head(bucket, key);
    if (!stored || stored.size !== size) throw new TransientError('the stored copy could not be confirmed');
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
   * Deletes several objects of one bucket (a missing key counts as deleted): up to SINGLE_DELETES_AT_MOST keys with a
   * DELETE each, sent together, more with one DeleteObjects request per 1,000 keys. A DELETE is free; DeleteObjects is
   * a POST, priced as a PUT, so it pays only for more keys than a few requests' own cost. Keys S3 reports as not
   * deleted are a TransientError: a retry deletes them.
   */
  async deleteMany(bucket: string, keys: readonly string[]): Promise<void> {
    if (keys.length <= SINGLE_DELETES_AT_MOST) {
      await Promise.all(keys.map((key) => this.delete(bucket, key)));
      return;
    }
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
