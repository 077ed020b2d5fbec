import { z } from 'zod';
import { decideStudy } from '../../layers/access';
import {
  InvalidQidoQuery,
  instanceJson,
  matchesAny,
  parseQido,
  seriesJson,
  studyJson,
  type DicomJson,
  type QidoQuery,
} from '../../layers/dicomweb';
import type { Study } from '../../layers/catalog/entities';
import { BadRequest } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { publicationRepository } from '../../layers/services/commons-context';
import { uid } from '../../layers/common/id-schemas';
import { accessContext, requireStudy } from '../../layers/services/access-context';
import { apiBaseUrl } from '../../layers/services/api-base-url';

const DICOM_JSON = { 'content-type': 'application/dicom+json' };

/**
 * QIDO-RS (PS3.18 10.6), DICOM JSON:
 * - GET /dicomweb/studies: published studies the caller may get (StudyInstanceUID,
 *   ModalitiesInStudy, PatientID; limit, offset);
 * - GET /dicomweb/studies/{study}/series (SeriesInstanceUID, Modality);
 * - GET /dicomweb/studies/{study}/series/{series}/instances (SOPInstanceUID).
 * A study the caller may not get is answered 404, like a missing one; a search with
 * no match is 204 (no content), as the standard says.
 */
export const handler = httpHandler(
  {
    path: z.object({ study: uid.optional(), series: uid.optional() }),
  },
  async function queryDicomweb({ caller, audit, path, event }) {
    let query: QidoQuery;
    try {
      query = parseQido(event.queryStringParameters ?? {});
    } catch (error) {
      if (error instanceof InvalidQidoQuery) throw new BadRequest(error.message);
      throw error;
    }
    const base = `${apiBaseUrl(event)}/dicomweb`;
    let results: DicomJson[];
    if (!path.study) {
      results = await studies(caller, query, base);
      audit.resource('dicomweb', 'studies');
    } else {
      const { study } = await requireStudy(caller, audit, path.study);
      if (!path.series) {
        results = (await publicationRepository().listSeries(study.studyUid))
          .filter((s) => matchesAny(s.seriesUid, query.seriesUids) && matchesAny(s.modality, query.modalities))
          .slice(query.offset, query.offset + query.limit)
          .map((s) => seriesJson(s, base));
      } else {
        results = (await publicationRepository().listInstances(study.studyUid))
          .filter((i) => i.seriesUid === path.series && matchesAny(i.sopUid, query.sopUids))
          .sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0))
          .slice(query.offset, query.offset + query.limit)
          .map((i) => instanceJson(i, base));
      }
    }
    if (results.length === 0) return { statusCode: 204, body: undefined, text: '', headers: DICOM_JSON };
    return { statusCode: 200, body: results, headers: DICOM_JSON };
  },
);

/** Published studies, newest first, that the caller may get and that match; the page after `offset`. */
async function studies(caller: Parameters<typeof accessContext>[0], query: QidoQuery, base: string): Promise<DicomJson[]> {
  const matches = (s: Study) =>
    s.status === 'published' &&
    matchesAny(s.studyUid, query.studyUids) &&
    (!query.modalities?.length || s.modalities.some((m) => query.modalities!.includes(m))) &&
    (!query.patientId || s.patientPseudonym === query.patientId);
  const out: Study[] = [];
  let skipped = 0;
  const take = async (page: readonly Study[]) => {
    const ctx = await accessContext(
      caller,
      page.map((s) => s.project),
    );
    for (const s of page) {
      if (!matches(s) || !decideStudy(ctx, s).allowed) continue;
      if (skipped < query.offset) {
        skipped += 1;
        continue;
      }
      if (out.length < query.limit) out.push(s);
    }
  };
  if (query.studyUids?.length) {
    const found = await Promise.all(query.studyUids.slice(0, 100).map((u) => publicationRepository().getStudy(u)));
    await take(found.filter((s): s is Study => s !== undefined));
  } else {
    let cursor: string | undefined;
    do {
      const page = await publicationRepository().listPublishedStudies(200, cursor);
      await take(page.items);
      cursor = page.cursor;
    } while (cursor && out.length < query.limit);
  }
  return out.map((s) => studyJson(s, base));
}
