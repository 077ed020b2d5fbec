import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { multipartContentType, multipartTail, newBoundary, partHead } from '../../layers/dicomweb';
import { HttpError, NotFound } from '../../layers/common/errors';
import { httpHandler, type HttpResponse } from '../../layers/adapters/aws/http';
import { buckets, objects, publicationRepository } from '../../layers/services/commons-context';
import { uid } from '../../layers/common/id-schemas';
import { requireStudy } from '../../layers/services/access-context';
import { headerOf } from '../../layers/services/api-base-url';
import { presignDownload } from '../../layers/services/presign-download';
import { objectStream, uploadStream } from '../../layers/adapters/aws/s3-stream';

class NotAcceptable extends HttpError {
  override readonly name = 'NotAcceptable';
  constructor(message: string) {
    super(406, message);
  }
}

/**
 * Largest instance answered inline. A Lambda response is at most 6 MB and binary
 * bodies travel base64-encoded (4/3), so 4 MiB of DICOM is the safe limit.
 */
const DEFAULT_INLINE_MAX = 4 * 1024 * 1024;

/**
 * WADO-RS instance retrieval (PS3.18 10.4): `multipart/related; type="application/dicom"`,
 * one part, the released (de-identified) Part 10 bytes in their stored transfer syntax.
 * An instance above the inline limit (WADO_INLINE_MAX_BYTES, default 4 MiB) cannot pass
 * through API Gateway and Lambda: its multipart body is built once in the released
 * bucket (`wado/`, streamed) and the answer is 303 See Other to a presigned URL of it,
 * served by S3 with the multipart content type; HTTP clients follow it.
 */
export const handler = httpHandler(
  {
    path: z.object({ study: uid, series: uid, instance: uid }),
  },
  async function retrieveWadoInstance({ caller, audit, path, event }): Promise<HttpResponse> {
    const accept = headerOf(event, 'accept') ?? '*/*';
    if (!/multipart\/related|\*\/\*/i.test(accept))
      throw new NotAcceptable('WADO-RS instances are multipart/related; type="application/dicom"');
    const { decision } = await requireStudy(caller, audit, path.study);
    const instance = await publicationRepository().getInstance(path.study, path.series, path.instance);
    if (!instance) throw new NotFound('no such instance');
    audit.resource('object', `hilum:${instance.sopUid}`, decision.basis);
    const inlineMax = Number(process.env.WADO_INLINE_MAX_BYTES) || DEFAULT_INLINE_MAX;
    const partHeaders = { 'Content-Length': String(instance.size) };

    if (instance.size <= inlineMax) {
      const bytes = await objects().getBytes(buckets.released(), instance.objectKey);
      if (!bytes) throw new NotFound('no such instance');
      const boundary = newBoundary();
      const body = Buffer.concat([partHead(boundary, 'application/dicom', partHeaders), Buffer.from(bytes), multipartTail(boundary)]);
      audit.record({
        action: 'wado.retrieve',
        targetType: 'object',
        targetId: `hilum:${instance.sopUid}`,
        details: { studyUid: path.study, bytes: instance.size, basis: decision.basis },
      });
      return { statusCode: 200, body: undefined, binary: body, headers: { 'content-type': multipartContentType(boundary) } };
    }

    // Large: a cached multipart object, whose boundary is fixed by the instance's checksum.
    const boundary = `hilum-${instance.sha256.slice(0, 32)}`;
    const key = `wado/${instance.studyUid}/${instance.sopUid}-${instance.sha256.slice(0, 16)}.multipart`;
    if (!(await objects().head(buckets.released(), key))) {
      const body = new PassThrough();
      const source = await objectStream(buckets.released(), instance.objectKey);
      body.write(partHead(boundary, 'application/dicom', partHeaders));
      source.on('error', (error) => body.destroy(error));
      source.on('end', () => body.end(multipartTail(boundary)));
      source.pipe(body, { end: false });
      await uploadStream(buckets.released(), key, body, multipartContentType(boundary));
    }
    const { url, ttlSeconds } = await presignDownload({ objectKey: key, size: instance.size, contentType: multipartContentType(boundary) });
    audit.record({
      action: 'download.url',
      targetType: 'object',
      targetId: `hilum:${instance.sopUid}`,
      details: { studyUid: path.study, via: 'wado-redirect', ttlSeconds, basis: decision.basis },
    });
    return { statusCode: 303, body: { location: url }, headers: { location: url } };
  },
);
