import { z } from 'zod';
import { datasetJson, type DicomJson } from '../../layers/dicomweb';
import { readDicomHeader } from '../../layers/dicom';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { buckets, objects, publicationRepository } from '../../layers/services/commons-context';
import { uid } from '../../layers/common/id-schemas';
import { requireStudy } from '../../layers/services/access-context';

/** Metadata per released object (immutable: keyed by its checksum), kept between invocations. */
const cache = new Map<string, DicomJson>();
const CACHE_ENTRIES = 20_000;

/**
 * WADO-RS metadata (PS3.18 10.4.1.1.2): GET /dicomweb/studies/{study}/metadata and
 * .../series/{series}/metadata, the DICOM JSON of every instance's de-identified
 * header, read from the released objects without their pixel data (no BulkDataURI:
 * a viewer fetches pixels with WADO-RS instance retrieval).
 */
export const handler = httpHandler(
  {
    path: z.object({ study: uid, series: uid.optional() }),
  },
  async function retrieveWadoMetadata({ caller, audit, path }) {
    const { study } = await requireStudy(caller, audit, path.study);
    const instances = (await publicationRepository().listInstances(study.studyUid))
      .filter((i) => !path.series || i.seriesUid === path.series)
      .sort((a, b) =>
        a.seriesUid === b.seriesUid ? (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) : a.seriesUid < b.seriesUid ? -1 : 1,
      );
    if (instances.length === 0) throw new NotFound('no such series in this study');
    const out: DicomJson[] = [];
    let read = 0;
    for (let i = 0; i < instances.length; i += 8) {
      out.push(
        ...(await Promise.all(
          instances.slice(i, i + 8).map(async (instance) => {
            const key = `${instance.sopUid}:${instance.sha256}`;
            const hit = cache.get(key);
            if (hit) return hit;
            const bytes = await objects().getBytes(buckets.released(), instance.objectKey);
            if (!bytes) throw new NotFound('an instance of this study is missing');
            read += 1;
            const json = datasetJson(readDicomHeader(bytes).dict);
            if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
            cache.set(key, json);
            return json;
          }),
        )),
      );
    }
    logger.info('metadata served', { studyUid: study.studyUid, instances: instances.length, read });
    return { statusCode: 200, body: out, headers: { 'content-type': 'application/dicom+json' } };
  },
);
