import { z } from 'zod';
import {
  bulkDataValue,
  EXPLICIT_VR_LITTLE_ENDIAN,
  negotiateFrames,
  parseBulkDataPath,
  parseFrameList,
  type FrameRepresentation,
} from '../../layers/dicomweb';
import { canDecode, decodeFrame, readDicomFile, storedFrames, type StoredFrames } from '../../layers/dicom';
import { BadRequest, HttpError, NotFound } from '../../layers/common/errors';
import { httpHandler, type HttpResponse } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { buckets, objects, publicationRepository } from '../../layers/services/commons-context';
import { uid } from '../../layers/common/id-schemas';
import { requireStudy } from '../../layers/services/access-context';
import { headerOf } from '../../layers/services/api-base-url';
import { multipartAnswer, refusingUndecodable, type WadoAnswer, type WadoPart } from '../../layers/services/wado-answer';

class NotAcceptable extends HttpError {
  override readonly name = 'NotAcceptable';
  constructor(message: string) {
    super(406, message);
  }
}

const PIXEL_DATA = '7FE00010';
/** Native syntaxes whose frames are already little-endian bytes (Big Endian frames go through the decoder to be swapped). */
const LITTLE_ENDIAN_NATIVE = new Set(['1.2.840.10008.1.2', EXPLICIT_VR_LITTLE_ENDIAN, '1.2.840.10008.1.2.1.99']);

/**
 * WADO-RS frames and bulk data of an instance (PS3.18 10.4.1.1.3, 10.4.1.1.5):
 * `…/frames/{1,3,5}` answers the frames named, `…/bulkdata/{attribute}` the value a
 * metadata BulkDataURI points at (`7FE00010`: every frame of the Pixel Data). Frames are
 * `multipart/related; type="application/octet-stream"` of native little-endian pixel
 * bytes (decoded through layers/dicom/pixels when stored compressed), or as stored in the
 * compressed syntax's media type (`image/jpeg`, `image/jls`, `image/jp2`, `image/jphc`,
 * `image/dicom-rle`), as the Accept header negotiates (layers/dicomweb/negotiation.ts);
 * 406 for what hilum cannot produce. Native Pixel Data bulk data is one part, compressed
 * one part per frame; other bulk data one `application/octet-stream` part. Answers above
 * the inline limit go through S3 and a 303, as instance retrieval does.
 */
export const handler = httpHandler(
  {
    path: z.object({ study: uid, series: uid, instance: uid, frames: z.string().optional(), attribute: z.string().optional() }),
  },
  async function retrieveWadoFrames({ caller, audit, path, event }): Promise<HttpResponse> {
    const attributePath = path.attribute === undefined ? undefined : parseBulkDataPath(path.attribute);
    if (path.attribute !== undefined && !attributePath)
      throw new BadRequest('a bulk data attribute is a tag (8 hex digits), or sequence tag.item.tag');
    const attribute = attributePath?.join('.');
    const frameNumbers = path.frames === undefined ? undefined : parseFrameList(path.frames);
    if (frameNumbers && !Array.isArray(frameNumbers)) throw new BadRequest(frameNumbers.error);

    const { decision } = await requireStudy(caller, audit, path.study);
    const instance = await publicationRepository().getInstance(path.study, path.series, path.instance);
    if (!instance) throw new NotFound('no such instance');
    audit.resource('object', `hilum:${instance.sopUid}`, decision.basis);
    const bytes = await objects().getBytes(buckets.released(), instance.objectKey);
    if (!bytes) throw new NotFound('no such instance');
    const accept = headerOf(event, 'accept');

    let answer: WadoAnswer;
    let parts: number;
    if (frameNumbers || attribute === PIXEL_DATA) {
      const stored = pixelFramesOf(bytes);
      const numbers = frameNumbers ?? stored.frames.map((_, i) => i + 1);
      if (numbers.some((n) => n > stored.frames.length)) throw new NotFound(`this instance has ${stored.frames.length} frame(s)`);
      const representation = negotiateFrames(accept, stored.transferSyntaxUid, (syntax) => canDecode(syntax, stored.pixel));
      if (!representation)
        throw new NotAcceptable(
          "frames are multipart/related of application/octet-stream (native) or of the stored compressed syntax's media type",
        );
      // Native Pixel Data bulk data is one value (all frames); frames, and compressed bulk data, one part each.
      const whole = !frameNumbers && representation.form === 'native';
      parts = whole ? 1 : numbers.length;
      answer = await refusingUndecodable(
        multipartAnswer({
          studyUid: instance.studyUid,
          identity: `${instance.sopUid}:${instance.sha256}\n${representation.form}:${representation.transferSyntaxUid}\n${whole ? 'all' : numbers.join(',')}`,
          partType: representation.mediaType,
          estimatedBytes: instance.size,
          parts: () => frameParts(stored, numbers, representation, whole),
        }),
        () =>
          new NotAcceptable(
            "this instance's frames cannot be decoded to native pixels; ask for the stored syntax's media type (or transfer-syntax=*)",
          ),
      );
    } else {
      const value = bulkDataValue(readDicomFile(bytes).dict, attributePath ?? []);
      if (!value) throw new NotFound('this instance has no bulk data at that attribute');
      if (!negotiateFrames(accept, EXPLICIT_VR_LITTLE_ENDIAN, () => false))
        throw new NotAcceptable('bulk data is multipart/related; type="application/octet-stream"');
      parts = 1;
      answer = await multipartAnswer({
        studyUid: instance.studyUid,
        identity: `${instance.sopUid}:${instance.sha256}\nbulkdata:${attribute}`,
        partType: 'application/octet-stream',
        estimatedBytes: value.byteLength,
        parts: async function* () {
          yield { contentType: 'application/octet-stream', body: value, headers: { 'Content-Length': String(value.byteLength) } };
        },
      });
    }
    logger.info('wado frames served', { parts, answer: answer.kind, resource: frameNumbers ? 'frames' : 'bulkdata' });
    audit.record({
      action: answer.kind === 'inline' ? (frameNumbers ? 'wado.frames' : 'wado.bulkdata') : 'download.url',
      targetType: 'object',
      targetId: `hilum:${instance.sopUid}`,
      details: {
        studyUid: path.study,
        parts,
        basis: decision.basis,
        ...(answer.kind === 'redirect'
          ? { via: 'wado-redirect', ttlSeconds: answer.ttlSeconds, bytes: answer.bytes }
          : { bytes: answer.body.byteLength }),
      },
    });
    if (answer.kind === 'redirect') return { statusCode: 303, body: { location: answer.url }, headers: { location: answer.url } };
    return { statusCode: 200, body: undefined, binary: answer.body, headers: { 'content-type': answer.contentType } };
  },
);

function pixelFramesOf(bytes: Uint8Array): StoredFrames {
  try {
    return storedFrames(bytes);
  } catch (error) {
    if (error instanceof Error && error.name === 'PixelDataError') throw new NotFound('this instance has no frames hilum can read');
    throw error;
  }
}

async function* frameParts(
  stored: StoredFrames,
  numbers: readonly number[],
  representation: FrameRepresentation,
  whole: boolean,
): AsyncIterable<WadoPart> {
  const contentType = `${representation.mediaType}; transfer-syntax=${representation.transferSyntaxUid}`;
  const bodies: Uint8Array[] = [];
  for (const n of numbers) {
    const frame = stored.frames[n - 1] as Uint8Array;
    const body = representation.form === 'stored' ? frame : await nativeFrame(frame, stored);
    if (whole) bodies.push(body);
    else yield { contentType, body, headers: { 'Content-Length': String(body.byteLength) } };
  }
  if (whole) {
    const body = Buffer.concat(bodies);
    yield { contentType, body, headers: { 'Content-Length': String(body.byteLength) } };
  }
}

/** A frame as native little-endian pixel bytes: as stored when it already is, else decoded. */
async function nativeFrame(frame: Uint8Array, stored: StoredFrames): Promise<Uint8Array> {
  if (LITTLE_ENDIAN_NATIVE.has(stored.transferSyntaxUid)) return frame;
  const { pixels } = await decodeFrame(frame, stored.transferSyntaxUid, stored.pixel);
  return new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}
