import { createHash } from 'node:crypto';
import { z } from 'zod';
import { decodeFrame, readDicomHeader, storedFrames } from '../../layers/dicom';
import { multipartBody, multipartContentType, newBoundary } from '../../layers/dicomweb';
import {
  InvalidRenderParameter,
  NotAcceptableMediaType,
  THUMBNAIL_VIEWPORT,
  encodeRendered,
  negotiateRenderedType,
  parseRenderParameters,
  renderAttributes,
  renderFrame,
  representativeOrder,
  parseFrameList,
  InvalidFrameList,
  type RenderParameters,
  type RenderedMediaType,
} from '../../layers/dicomweb/render';
import type { Instance } from '../../layers/catalog/entities';
import { BadRequest, HttpError, NotFound } from '../../layers/common/errors';
import { httpHandler, type HttpResponse } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { buckets, objects, publicationRepository } from '../../layers/services/commons-context';
import { uid } from '../../layers/common/id-schemas';
import { requireStudy } from '../../layers/services/access-context';
import { headerOf } from '../../layers/services/api-base-url';
import { presignDownload } from '../../layers/services/presign-download';

class NotAcceptable extends HttpError {
  override readonly name = 'NotAcceptable';
  constructor(message: string) {
    super(406, message);
  }
}

/** The instance has no pixel data hilum can decode (an SR, an unsupported encoding): the request is fine, the target cannot be rendered. */
class Unrenderable extends HttpError {
  override readonly name = 'Unrenderable';
  constructor(message = 'this instance cannot be rendered (no pixel data, or an encoding hilum does not decode)') {
    super(422, message);
  }
}

/** Inline answers up to 4 MiB (a Lambda response is 6 MB and binary travels base64); larger ones are a 303 to S3. */
const DEFAULT_INLINE_MAX = 4 * 1024 * 1024;
/** Frames one rendered study or series request may render (Lambda's 29 s API timeout). */
const DEFAULT_MAX_FRAMES = 200;
/** Instances a thumbnail tries before it gives up (non-image objects are skipped). */
const THUMBNAIL_ATTEMPTS = 8;

const PIXEL_ERRORS = new Set(['PixelDataError', 'UnsupportedTransferSyntax', 'UnrenderableImage']);
const isPixelError = (error: unknown): boolean => error instanceof Error && PIXEL_ERRORS.has(error.name);

interface RenderedPart {
  readonly sopUid: string;
  readonly frameNumber: number;
  readonly bytes: Uint8Array;
}

/** The instance's bytes with its frames and header, read once per request. */
async function loadInstance(instance: Instance) {
  const bytes = await objects().getBytes(buckets.released(), instance.objectKey);
  if (!bytes) throw new NotFound('an instance of this study is missing');
  let stored;
  try {
    stored = storedFrames(bytes);
  } catch (error) {
    if (isPixelError(error)) throw new Unrenderable();
    throw error;
  }
  return { stored, dict: readDicomHeader(bytes).dict };
}

async function renderInstanceFrames(
  instance: Instance,
  frameNumbers: readonly number[] | 'all' | 'middle',
  parameters: RenderParameters,
  mediaType: RenderedMediaType,
): Promise<RenderedPart[]> {
  const { stored, dict } = await loadInstance(instance);
  const count = stored.frames.length;
  const numbers =
    frameNumbers === 'all'
      ? Array.from({ length: count }, (_, i) => i + 1)
      : frameNumbers === 'middle'
        ? [Math.floor((count - 1) / 2) + 1]
        : frameNumbers;
  if (numbers.some((n) => n > count)) throw new NotFound('no such frame in this instance');
  const parts: RenderedPart[] = [];
  for (const frameNumber of numbers) {
    try {
      const decoded = await decodeFrame(stored.frames[frameNumber - 1]!, stored.transferSyntaxUid, stored.pixel);
      const image = renderFrame(decoded, renderAttributes(dict, frameNumber - 1), parameters);
      parts.push({ sopUid: instance.sopUid, frameNumber, bytes: encodeRendered(image, mediaType, parameters.quality) });
    } catch (error) {
      if (isPixelError(error)) throw new Unrenderable();
      throw error;
    }
  }
  return parts;
}

const byInstanceNumber = (a: Instance, b: Instance) =>
  (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0) ||
  (a.seriesUid < b.seriesUid ? -1 : a.seriesUid > b.seriesUid ? 1 : 0) ||
  (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) ||
  (a.sopUid < b.sopUid ? -1 : 1);

/** A thumbnail: the middle frame of the middle instance of the first series that renders. */
async function thumbnailOf(instances: readonly Instance[], parameters: RenderParameters, mediaType: RenderedMediaType) {
  const candidates = representativeOrder([...instances].sort(byInstanceNumber), (i) => i.seriesUid).slice(0, THUMBNAIL_ATTEMPTS);
  for (const instance of candidates) {
    try {
      return { instance, parts: await renderInstanceFrames(instance, 'middle', parameters, mediaType) };
    } catch (error) {
      if (!(error instanceof Unrenderable)) throw error;
    }
  }
  throw new Unrenderable('nothing in this resource can be rendered');
}

/**
 * WADO-RS rendered resources and thumbnails (PS3.18 10.4.1.1.3, 10.4.1.1.4):
 * GET .../rendered of a study, series, instance or frames (`/frames/1,3`), and .../thumbnail
 * of each, as image/jpeg (default) or image/png. One image is answered as itself; several
 * (a study, a series, several frames) as `multipart/related; type="image/..."`, one part
 * per frame. `window`, `viewport` and `quality` as layers/dicomweb/render reads them; a
 * thumbnail fits 128 x 128 unless a viewport is given, and is the middle frame of the
 * middle instance of the first series with pixels. Visibility as every DICOMweb read
 * (404 for what the caller may not see); answers above the inline limit go through S3 (303).
 */
export const handler = httpHandler(
  {
    path: z.object({ study: uid, series: uid.optional(), instance: uid.optional(), frames: z.string().max(2000).optional() }),
  },
  async function retrieveRendered({ caller, audit, path, event }): Promise<HttpResponse> {
    const query = event.queryStringParameters ?? {};
    let mediaType: RenderedMediaType;
    let parameters: RenderParameters;
    let frameNumbers: number[] | undefined;
    try {
      mediaType = negotiateRenderedType(headerOf(event, 'accept'), query.accept);
      parameters = parseRenderParameters(query);
      frameNumbers = path.frames === undefined ? undefined : parseFrameList(path.frames);
    } catch (error) {
      if (error instanceof NotAcceptableMediaType) throw new NotAcceptable(error.message);
      if (error instanceof InvalidRenderParameter || error instanceof InvalidFrameList) throw new BadRequest(error.message);
      throw error;
    }
    const thumbnail = (event.resource ?? '').endsWith('/thumbnail');
    if (thumbnail) parameters = { ...parameters, viewport: parameters.viewport ?? THUMBNAIL_VIEWPORT };

    const { study, decision } = await requireStudy(caller, audit, path.study);
    let instances: Instance[];
    if (path.instance) {
      const instance = await publicationRepository().getInstance(study.studyUid, path.series!, path.instance);
      if (!instance) throw new NotFound('no such instance');
      instances = [instance];
      audit.resource('object', `hilum:${instance.sopUid}`, decision.basis);
    } else {
      instances = (await publicationRepository().listInstances(study.studyUid))
        .filter((i) => !path.series || i.seriesUid === path.series)
        .sort(byInstanceNumber);
      if (instances.length === 0) throw new NotFound('no such series in this study');
    }

    let parts: RenderedPart[];
    if (thumbnail) {
      const only = instances.length === 1 && frameNumbers ? frameNumbers.slice(0, 1) : undefined;
      parts = only
        ? await renderInstanceFrames(instances[0]!, only, parameters, mediaType)
        : (await thumbnailOf(instances, parameters, mediaType)).parts;
    } else if (path.instance) {
      parts = await renderInstanceFrames(instances[0]!, frameNumbers ?? [1], parameters, mediaType);
    } else {
      const maxFrames = Number(process.env.RENDERED_MAX_FRAMES) || DEFAULT_MAX_FRAMES;
      parts = [];
      for (const instance of instances) {
        try {
          parts.push(...(await renderInstanceFrames(instance, 'all', parameters, mediaType)));
        } catch (error) {
          // A study or series may hold objects without pixels (SR, presentation states): they have no rendering, the others do.
          if (!(error instanceof Unrenderable)) throw error;
        }
        if (parts.length > maxFrames)
          throw new BadRequest(`more than ${maxFrames} frames to render: ask for instances or frames one at a time`);
      }
      if (parts.length === 0) throw new Unrenderable('nothing in this resource can be rendered');
    }

    const single = parts.length === 1 && (thumbnail || path.instance !== undefined) && (frameNumbers?.length ?? 1) === 1;
    const boundary = single ? '' : newBoundary();
    const body = single
      ? parts[0]!.bytes
      : multipartBody(
          boundary,
          parts.map((p) => ({ contentType: mediaType, body: p.bytes })),
        );
    const contentType = single ? mediaType : multipartContentType(boundary, mediaType);
    audit.record({
      action: thumbnail ? 'wado.thumbnail' : 'wado.rendered',
      targetType: path.instance ? 'object' : path.series ? 'series' : 'study',
      targetId: path.instance ? `hilum:${path.instance}` : (path.series ?? study.studyUid),
      details: { studyUid: study.studyUid, frames: parts.length, mediaType, basis: decision.basis },
    });
    logger.info('rendered', { studyUid: study.studyUid, frames: parts.length, bytes: body.byteLength, thumbnail });

    const inlineMax = Number(process.env.WADO_INLINE_MAX_BYTES) || DEFAULT_INLINE_MAX;
    if (body.byteLength <= inlineMax) return { statusCode: 200, body: undefined, binary: body, headers: { 'content-type': contentType } };

    // Too large for a Lambda response: stored once under rendered/ and answered by S3 through a 303.
    const digest = createHash('sha256').update(body).digest('hex').slice(0, 40);
    const key = `rendered/${study.studyUid}/${digest}${single ? (mediaType === 'image/png' ? '.png' : '.jpg') : '.multipart'}`;
    if (!(await objects().head(buckets.released(), key))) await objects().put(buckets.released(), key, body, { contentType });
    const { url, ttlSeconds } = await presignDownload({ objectKey: key, size: body.byteLength, contentType });
    audit.record({
      action: 'download.url',
      targetType: path.instance ? 'object' : 'study',
      targetId: path.instance ? `hilum:${path.instance}` : study.studyUid,
      details: { studyUid: study.studyUid, via: 'rendered-redirect', ttlSeconds, basis: decision.basis },
    });
    return { statusCode: 303, body: { location: url }, headers: { location: url } };
  },
);
