import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { multipartContentType, multipartTail, partHead, partSeparator } from '../dicomweb';
import { PixelDataError } from '../dicom';
import { uploadStream } from '../adapters/aws/s3-stream';
import { buckets, objects } from './commons-context';
import { presignDownload } from './presign-download';

/**
 * Largest WADO-RS answer sent inline. A Lambda response is at most 6 MB and binary
 * bodies travel base64-encoded (4/3), so 4 MiB is the safe limit
 * (WADO_INLINE_MAX_BYTES overrides it, e.g. in tests).
 */
const DEFAULT_INLINE_MAX = 4 * 1024 * 1024;

export function wadoInlineMax(): number {
  return Number(process.env.WADO_INLINE_MAX_BYTES) || DEFAULT_INLINE_MAX;
}

export interface WadoPart {
  contentType: string;
  /** The part's bytes, or a stream of them (a stored instance passed through without being held whole). */
  body: Uint8Array | (() => Promise<AsyncIterable<Uint8Array>>);
  headers?: Record<string, string>;
}

export type WadoAnswer =
  | { kind: 'inline'; contentType: string; body: Buffer }
  | { kind: 'redirect'; contentType: string; url: string; ttlSeconds: number; bytes: number };

/** The released bucket's key of a cached answer, and the boundary its multipart body uses. */
function cacheOf(studyUid: string, identity: string): { key: string; boundary: string } {
  const digest = createHash('sha256').update(identity).digest('hex');
  return { key: `wado/${studyUid}/${digest.slice(0, 40)}.multipart`, boundary: `hilum-${digest.slice(0, 32)}` };
}

/**
 * A multipart/related answer whose parts are produced one at a time. Up to the inline
 * limit it is one response body. Above it (API Gateway and Lambda would refuse it) the
 * body is streamed once into the released bucket under `wado/`, keyed by `identity`
 * (which must name the content exactly: the instances' checksums, the representation,
 * the frames), and the answer is a presigned URL to it, served by S3 with the multipart
 * content type: the handler answers 303 See Other and HTTP clients follow it. An answer
 * whose `estimatedBytes` is above the limit is looked up in that cache first.
 */
export async function multipartAnswer(options: {
  studyUid: string;
  identity: string;
  partType: string;
  estimatedBytes: number;
  parts: () => AsyncIterable<WadoPart>;
}): Promise<WadoAnswer> {
  const inlineMax = wadoInlineMax();
  const { key, boundary } = cacheOf(options.studyUid, `${options.partType}\n${options.identity}`);
  const contentType = multipartContentType(boundary, options.partType);
  const redirect = async (bytes: number): Promise<WadoAnswer> => {
    const { url, ttlSeconds } = await presignDownload({ objectKey: key, size: bytes, contentType });
    return { kind: 'redirect', contentType, url, ttlSeconds, bytes };
  };
  if (options.estimatedBytes > inlineMax) {
    const cached = await objects().head(buckets.released(), key);
    if (cached) return redirect(cached.size);
  }

  const held: Buffer[] = [];
  let size = 0;
  let stream: { body: PassThrough; upload: Promise<void> } | undefined;
  const emit = async (chunk: Buffer): Promise<void> => {
    size += chunk.byteLength;
    if (!stream) {
      held.push(chunk);
      if (size <= inlineMax) return;
      // Too large to answer inline: from here on the body goes to S3 as it is produced.
      const body = new PassThrough();
      const upload = uploadStream(buckets.released(), key, body, contentType);
      // A failed upload stops reading: fail the writer waiting for 'drain' instead of leaving it waiting.
      upload.catch((error: unknown) => body.destroy(error instanceof Error ? error : new Error('upload failed')));
      stream = { body, upload };
      for (const earlier of held.splice(0)) if (!body.write(earlier)) await once(body, 'drain');
      return;
    }
    if (!stream.body.write(chunk)) await once(stream.body, 'drain');
  };
  try {
    let first = true;
    for await (const part of options.parts()) {
      if (!first) await emit(partSeparator());
      first = false;
      await emit(partHead(boundary, part.contentType, part.headers));
      if (part.body instanceof Uint8Array) await emit(Buffer.from(part.body.buffer, part.body.byteOffset, part.body.byteLength));
      else for await (const chunk of await part.body()) await emit(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    await emit(multipartTail(boundary));
  } catch (error) {
    stream?.body.destroy(error as Error);
    await stream?.upload.catch(() => undefined);
    throw error;
  }
  if (!stream) return { kind: 'inline', contentType, body: Buffer.concat(held) };
  stream.body.end();
  await stream.upload;
  return redirect(size);
}

/**
 * An answer whose parts decode stored pixel data: a bitstream the decoder refuses (or a bit
 * depth no codec reads) means hilum cannot produce the representation asked for, which
 * PS3.18 answers 406, not a server error. `refusal` builds that answer's error; the decoder's
 * own message (value-free, but about the stored file) is not passed on.
 */
export async function refusingUndecodable<T>(answer: Promise<T>, refusal: () => Error): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof PixelDataError) throw refusal();
    throw error;
  }
}

/**
 * A JSON answer (WADO-RS metadata): inline up to the limit, else stored once under
 * `wado/` and answered by a presigned URL, like multipartAnswer.
 */
export async function jsonAnswer(options: {
  studyUid: string;
  identity: string;
  contentType: string;
  body: () => Promise<Buffer>;
}): Promise<WadoAnswer> {
  const { key } = cacheOf(options.studyUid, `json\n${options.identity}`);
  const body = await options.body();
  if (body.byteLength <= wadoInlineMax()) return { kind: 'inline', contentType: options.contentType, body };
  const jsonKey = key.replace(/\.multipart$/, '.json');
  if (!(await objects().head(buckets.released(), jsonKey)))
    await objects().put(buckets.released(), jsonKey, body, { contentType: options.contentType });
  const { url, ttlSeconds } = await presignDownload({ objectKey: jsonKey, size: body.byteLength, contentType: options.contentType });
  return { kind: 'redirect', contentType: options.contentType, url, ttlSeconds, bytes: body.byteLength };
}
