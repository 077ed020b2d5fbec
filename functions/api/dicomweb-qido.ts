import { z } from 'zod';
import { decideStudy } from '../../layers/access';
import {
  InvalidQidoQuery,
  listedUids,
  parseQido,
  qidoResult,
  walkQido,
  warningHeader,
  type DicomJson,
  type QidoLevel,
  type QidoRequest,
} from '../../layers/dicomweb';
import type { Study } from '../../layers/catalog/entities';
import type { Caller } from '../../layers/access/caller';
import { BadRequest } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { publicationRepository } from '../../layers/services/commons-context';
import { uid } from '../../layers/common/id-schemas';
import { accessContext, requireStudy } from '../../layers/services/access-context';
import { apiBaseUrl } from '../../layers/services/api-base-url';

const DICOM_JSON = { 'content-type': 'application/dicom+json' };
/** Studies read per page of the published index when no StudyInstanceUID narrows the search. */
const STUDY_PAGE = 200;
/** Time a walk may take before it answers what it found (API Gateway gives up at 29 s). */
const WALK_BUDGET_MS = 20_000;

/**
 * QIDO-RS (PS3.18 10.6), DICOM JSON, at every level:
 * - GET /dicomweb/studies;
 * - GET /dicomweb/studies/{study}/series and GET /dicomweb/series;
 * - GET /dicomweb/studies/{study}/series/{series}/instances, GET /dicomweb/studies/{study}/instances
 *   and GET /dicomweb/instances.
 * Matching keys, includefield, limit/offset and fuzzymatching are read by layers/dicomweb/qido.ts
 * against the catalog's records; what it ignores is named in a `Warning` header. Only published
 * studies the caller may get are searched; a study in the path the caller may not get is 404,
 * like a missing one; a search with no match is 204.
 */
export const handler = httpHandler(
  {
    path: z.object({ study: uid.optional(), series: uid.optional() }),
  },
  async function queryDicomweb({ caller, audit, path, event }) {
    const level = levelOf(event.path ?? '');
    let request: QidoRequest;
    try {
      request = parseQido(queryParameters(event), level, path);
    } catch (error) {
      if (error instanceof InvalidQidoQuery) throw new BadRequest(error.message);
      throw error;
    }
    const base = `${apiBaseUrl(event)}/dicomweb`;
    const studies = path.study ? single((await requireStudy(caller, audit, path.study)).study) : visibleStudies(caller, request);
    if (!path.study) audit.resource('dicomweb', level === 'study' ? 'studies' : level === 'series' ? 'series' : 'instances');
    const page = await walkQido(
      request,
      path.series,
      {
        studies,
        listSeries: (studyUid) => publicationRepository().listSeries(studyUid),
        listInstances: (studyUid) => publicationRepository().listInstances(studyUid),
      },
      { deadline: Date.now() + WALK_BUDGET_MS },
    );
    const notes = [
      ...(page.more ? ['There are additional results that can be requested (use offset).'] : []),
      ...(page.incomplete
        ? [`The search stopped after ${page.studiesRead} studies in the time allowed; results may be missing. Narrow it with study keys.`]
        : []),
    ];
    const warning = warningHeader(request, base, notes);
    const headers = { ...DICOM_JSON, ...(warning ? { warning } : {}) };
    if (page.records.length === 0) return { statusCode: 204, body: undefined, text: '', headers };
    const results: DicomJson[] = page.records.map((record) => qidoResult(request, record, base));
    return { statusCode: 200, body: results, headers };
  },
);

/** The level a route searches, by the last segment of its path. */
function levelOf(path: string): QidoLevel {
  const last = path.replace(/\/+$/, '').split('/').pop();
  return last === 'instances' ? 'instance' : last === 'series' ? 'series' : 'study';
}

/** Every value of every query parameter (a repeated includefield counts every time). */
function queryParameters(event: {
  queryStringParameters: Record<string, string | undefined> | null;
  multiValueQueryStringParameters: Record<string, string[] | undefined> | null;
}): Record<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) out.set(name, [value]);
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) if (values?.length) out.set(name, values);
  return Object.fromEntries(out);
}

async function* single(study: Study): AsyncGenerator<Study> {
  yield study;
}

/**
 * Published studies the caller may get, newest first: the ones a StudyInstanceUID key lists, or
 * those holding the instances a SOPInstanceUID key lists (through the object index), or else a
 * walk of the published index page by page (stopped by walkQido once it has enough).
 */
async function* visibleStudies(caller: Caller, request: QidoRequest): AsyncGenerator<Study> {
  const visible = async (page: readonly Study[]) => {
    const ctx = await accessContext(
      caller,
      page.map((s) => s.project),
    );
    return page.filter((s) => s.status === 'published' && decideStudy(ctx, s).allowed);
  };
  const sops = request.level === 'instance' ? listedUids(request, 'SOPInstanceUID') : undefined;
  const listed =
    listedUids(request, 'StudyInstanceUID') ??
    (sops && [
      ...new Set((await Promise.all(sops.map((u) => publicationRepository().getObjectRef(u)))).flatMap((r) => (r ? [r.studyUid] : []))),
    ]);
  if (listed) {
    const found = await Promise.all(listed.map((u) => publicationRepository().getStudy(u)));
    const studies = found.filter((s): s is Study => s !== undefined);
    yield* (await visible(studies)).sort((a, b) => ((a.publishedAt ?? '') < (b.publishedAt ?? '') ? 1 : -1));
    return;
  }
  let cursor: string | undefined;
  do {
    const page = await publicationRepository().listPublishedStudies(STUDY_PAGE, cursor);
    yield* await visible(page.items);
    cursor = page.cursor;
  } while (cursor);
}
