import { z } from 'zod';
import { datasetJson, type DicomJson } from '../../layers/dicomweb';
import { readDicomHeader, scanPart10, topLevel, TAG } from '../../layers/dicom';
import type { Instance } from '../../layers/catalog/entities';
import { NotFound } from '../../layers/common/errors';
import { httpHandler, type HttpResponse } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { buckets, objects, publicationRepository } from '../../layers/services/commons-context';
import { uid } from '../../layers/common/id-schemas';
import { requireStudy } from '../../layers/services/access-context';
import { apiBaseUrl } from '../../layers/services/api-base-url';
import { jsonAnswer } from '../../layers/services/wado-answer';

/** Metadata per released object (immutable: keyed by its checksum) and base URL, kept between invocations. */
const cache = new Map<string, DicomJson>();
const CACHE_ENTRIES = 20_000;
const CONTENT_TYPE = 'application/dicom+json';

/**
 * WADO-RS metadata (PS3.18 10.4.1.1.2) of a study, a series or an instance: the DICOM
 * JSON (Annex F, layers/dicomweb/json.ts) of each instance's de-identified header, read
 * from the released objects. Pixel Data and binary values above 1 KiB are BulkDataURIs
 * of the bulk data resource (`…/instances/{instance}/bulkdata/{attribute}`,
 * functions/api/dicomweb-frames.ts). A JSON answer above the inline limit is stored
 * once under `wado/` in the released bucket and answered 303 to a presigned URL.
 */
export const handler = httpHandler(
  {
    path: z.object({ study: uid, series: uid.optional(), instance: uid.optional() }),
  },
  async function retrieveWadoMetadata({ caller, audit, path, event }): Promise<HttpResponse> {
    const { study, decision } = await requireStudy(caller, audit, path.study);
    const instances = await instancesOf(path);
    const base = `${apiBaseUrl(event)}/dicomweb`;
    let read = 0;
    const answer = await jsonAnswer({
      studyUid: study.studyUid,
      identity: `${base}\n${instances.map((i) => `${i.sopUid}:${i.sha256}`).join('\n')}`,
      contentType: CONTENT_TYPE,
      body: async () => {
        const out: DicomJson[] = [];
        for (let i = 0; i < instances.length; i += 8) {
          const batch = await Promise.all(
            instances.slice(i, i + 8).map(async (instance) => {
              const key = `${base}:${instance.sopUid}:${instance.sha256}`;
              const hit = cache.get(key);
              if (hit) return hit;
              const bytes = await objects().getBytes(buckets.released(), instance.objectKey);
              if (!bytes) throw new NotFound('an instance of this resource is missing');
              read += 1;
              const json = instanceMetadata(
                bytes,
                `${base}/studies/${instance.studyUid}/series/${instance.seriesUid}/instances/${instance.sopUid}`,
              );
              if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
              cache.set(key, json);
              return json;
            }),
          );
          out.push(...batch);
        }
        return Buffer.from(JSON.stringify(out), 'utf8');
      },
    });
    if (path.instance) audit.resource('object', `hilum:${path.instance}`, decision.basis);
    logger.info('metadata served', { instances: instances.length, read, answer: answer.kind });
    if (answer.kind === 'redirect') {
      audit.record({
        action: 'download.url',
        targetType: path.instance ? 'object' : path.series ? 'series' : 'study',
        targetId: path.instance ? `hilum:${path.instance}` : (path.series ?? path.study),
        details: { studyUid: path.study, via: 'wado-metadata-redirect', ttlSeconds: answer.ttlSeconds, basis: decision.basis },
      });
      return { statusCode: 303, body: { location: answer.url }, headers: { location: answer.url } };
    }
    return { statusCode: 200, body: undefined, text: answer.body.toString('utf8'), headers: { 'content-type': CONTENT_TYPE } };
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
    .sort((a, b) => (a.seriesUid === b.seriesUid ? (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) : a.seriesUid < b.seriesUid ? -1 : 1));
  if (instances.length === 0) throw new NotFound(path.series ? 'no such series in this study' : 'no such study');
  return instances;
}

/** One instance's metadata, its bulk data resources under `instanceUrl/bulkdata/`. */
function instanceMetadata(bytes: Uint8Array, instanceUrl: string): DicomJson {
  const pixelData = topLevel(scanPart10(bytes)).get(TAG.PixelData);
  // Encapsulated Pixel Data is OB (PS3.5 A.4); native keeps its VR, which implicit VR leaves to the dictionary's "OB or OW".
  const pixelDataVr = pixelData ? (pixelData.fragments ? 'OB' : pixelData.vr === 'OB' ? 'OB' : 'OW') : undefined;
  return datasetJson(readDicomHeader(bytes).dict, {
    bulkDataUri: (attribute) => `${instanceUrl}/bulkdata/${attribute}`,
    ...(pixelDataVr ? { pixelDataVr } : {}),
  });
}
