import { z } from 'zod';
import { EXPLICIT_VR_LITTLE_ENDIAN, negotiateDicom } from '../../layers/dicomweb';
import { canDecode, transcodeToExplicitLittleEndian } from '../../layers/dicom';
import type { Instance } from '../../layers/catalog/entities';
import { HttpError, NotFound } from '../../layers/common/errors';
import { httpHandler, type HttpResponse } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { buckets, objects, publicationRepository } from '../../layers/services/commons-context';
import { uid } from '../../layers/common/id-schemas';
import { requireStudy } from '../../layers/services/access-context';
import { headerOf } from '../../layers/services/api-base-url';
import { multipartAnswer, refusingUndecodable, type WadoPart } from '../../layers/services/wado-answer';
import { objectStream } from '../../layers/adapters/aws/s3-stream';

class NotAcceptable extends HttpError {
  override readonly name = 'NotAcceptable';
  constructor(message: string) {
    super(406, message);
  }
}

/** Stored syntaxes hilum can answer as Explicit VR Little Endian: that one, and every one the pixel layer decodes. */
const canTranscode = (stored: string): boolean => stored === EXPLICIT_VR_LITTLE_ENDIAN || canDecode(stored);

/** Series by UID, then instances by InstanceNumber (then UID): the order a viewer stacks them in. */
function retrieveOrder(a: Instance, b: Instance): number {
  if (a.seriesUid !== b.seriesUid) return a.seriesUid < b.seriesUid ? -1 : 1;
  return (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) || (a.sopUid < b.sopUid ? -1 : a.sopUid > b.sopUid ? 1 : 0);
}

/**
 * WADO-RS retrieve of a study, a series or an instance (PS3.18 10.4):
 * `multipart/related; type="application/dicom"`, one part per released (de-identified)
 * instance, each `application/dicom; transfer-syntax=…`. The transfer syntax is
 * negotiated (layers/dicomweb/negotiation.ts): as stored for `*` or the stored syntax,
 * Explicit VR Little Endian by decoding the pixel data (the default of
 * application/dicom), 406 for anything else. An answer above the inline limit
 * (WADO_INLINE_MAX_BYTES, default 4 MiB) is built once in the released bucket
 * (`wado/`, streamed) and answered 303 See Other to a presigned URL of it.
 */
export const handler = httpHandler(
  {
    path: z.object({ study: uid, series: uid.optional(), instance: uid.optional() }),
  },
  async function retrieveWado({ caller, audit, path, event }): Promise<HttpResponse> {
    const { decision } = await requireStudy(caller, audit, path.study);
    const instances = await instancesOf(path);
    const syntaxes = negotiateDicom(
      headerOf(event, 'accept'),
      instances.map((i) => i.transferSyntaxUid),
      canTranscode,
    );
    if (!syntaxes)
      throw new NotAcceptable(
        'WADO-RS answers multipart/related; type="application/dicom" with transfer-syntax=* (as stored), the stored syntax or 1.2.840.10008.1.2.1',
      );
    if (path.instance) audit.resource('object', `hilum:${path.instance}`, decision.basis);
    else audit.resource(path.series ? 'series' : 'study', path.series ?? path.study, decision.basis);

    const answer = await refusingUndecodable(
      multipartAnswer({
        studyUid: path.study,
        identity: instances.map((instance, i) => `${instance.sopUid}:${instance.sha256}:${syntaxes[i]}`).join('\n'),
        partType: 'application/dicom',
        estimatedBytes: instances.reduce((sum, instance) => sum + instance.size, 0),
        parts: () => instanceParts(instances, syntaxes),
      }),
      () =>
        new NotAcceptable(
          'the stored pixel data of an instance cannot be decoded to 1.2.840.10008.1.2.1; ask for transfer-syntax=* to get it as stored',
        ),
    );
    const transcoded = syntaxes.filter((syntax, i) => syntax !== instances[i]!.transferSyntaxUid).length;
    logger.info('wado retrieve', { instances: instances.length, transcoded, answer: answer.kind });
    audit.record({
      action: answer.kind === 'inline' ? 'wado.retrieve' : 'download.url',
      targetType: path.instance ? 'object' : path.series ? 'series' : 'study',
      targetId: path.instance ? `hilum:${path.instance}` : (path.series ?? path.study),
      details: {
        studyUid: path.study,
        instances: instances.length,
        transcoded,
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

async function instancesOf(path: { study: string; series?: string; instance?: string }): Promise<Instance[]> {
  if (path.instance) {
    const instance = path.series ? await publicationRepository().getInstance(path.study, path.series, path.instance) : undefined;
    if (!instance) throw new NotFound('no such instance');
    return [instance];
  }
  const instances = (await publicationRepository().listInstances(path.study))
    .filter((i) => !path.series || i.seriesUid === path.series)
    .sort(retrieveOrder);
  if (instances.length === 0) throw new NotFound(path.series ? 'no such series in this study' : 'no such study');
  return instances;
}

/**
 * One part per instance, one at a time: an instance sent as stored streams from S3, one
 * transcoded is read and decoded whole (then dropped), so a large study never sits in memory.
 */
async function* instanceParts(instances: readonly Instance[], syntaxes: readonly string[]): AsyncIterable<WadoPart> {
  for (const [i, instance] of instances.entries()) {
    const syntax = syntaxes[i] as string;
    const contentType = `application/dicom; transfer-syntax=${syntax}`;
    if (syntax === instance.transferSyntaxUid) {
      yield {
        contentType,
        body: () => objectStream(buckets.released(), instance.objectKey),
        headers: { 'Content-Length': String(instance.size) },
      };
      continue;
    }
    const stored = await objects().getBytes(buckets.released(), instance.objectKey);
    if (!stored) throw new NotFound('an instance of this resource is missing');
    const body = await transcodeToExplicitLittleEndian(stored);
    yield {
      contentType,
      body,
      headers: { 'Content-Length': String(body.byteLength) },
    };
  }
}
