/**
 * The walk behind a QIDO-RS answer: candidate studies in order, each filtered by the study
 * keys before its series or instances are read, until the page (plus one, to know whether more
 * remain) is full or the time allowed is spent. Pure: the catalog comes in as functions.
 */
import type { Series } from '../catalog/commons-entities';
import type { Instance, Study } from '../catalog/entities';
import type { QidoRecord } from './qido-attributes';
import { matchesKeys, type QidoRequest } from './qido';

export interface QidoSource {
  /** Published studies the caller may get, in answer order (the handler applies visibility). */
  readonly studies: AsyncIterable<Study>;
  listSeries(studyUid: string): Promise<readonly Series[]>;
  listInstances(studyUid: string): Promise<readonly Instance[]>;
}

export interface QidoPage {
  readonly records: readonly QidoRecord[];
  /** More results match than the page holds. */
  readonly more: boolean;
  /** The walk ran out of time: the page may miss matches (studies read so far in `studiesRead`). */
  readonly incomplete: boolean;
  readonly studiesRead: number;
}

export interface WalkLimits {
  /** Epoch milliseconds after which no further study is read. */
  readonly deadline: number;
  readonly now?: () => number;
}

export async function walkQido(
  request: QidoRequest,
  seriesInPath: string | undefined,
  source: QidoSource,
  limits: WalkLimits,
): Promise<QidoPage> {
  const now = limits.now ?? Date.now;
  const wanted = request.offset + request.limit + 1;
  const found: QidoRecord[] = [];
  let studiesRead = 0;
  let incomplete = false;
  for await (const study of source.studies) {
    if (now() > limits.deadline) {
      incomplete = true;
      break;
    }
    studiesRead += 1;
    if (!matchesKeys(request, { study }, ['study'])) continue;
    for (const record of await recordsOf(study, request, seriesInPath, source)) {
      found.push(record);
      if (found.length >= wanted) break;
    }
    if (found.length >= wanted) break;
  }
  return {
    records: found.slice(request.offset, request.offset + request.limit),
    more: found.length > request.offset + request.limit,
    incomplete,
    studiesRead,
  };
}

/** The study's results at the request's level that pass its series and instance keys, in a stable order. */
async function recordsOf(study: Study, request: QidoRequest, seriesInPath: string | undefined, source: QidoSource): Promise<QidoRecord[]> {
  if (request.level === 'study') return [{ study }];
  const series = [...(await source.listSeries(study.studyUid))].sort(bySeriesOrder);
  if (request.level === 'series') {
    return series.map((s) => ({ study, series: s })).filter((r) => matchesKeys(request, r, ['series']));
  }
  const seriesByUid = new Map(series.map((s, i) => [s.seriesUid, { series: s, order: i }]));
  const order = (seriesUid: string) => seriesByUid.get(seriesUid)?.order ?? series.length;
  return (await source.listInstances(study.studyUid))
    .filter((i) => seriesInPath === undefined || i.seriesUid === seriesInPath)
    .sort(
      (a, b) => order(a.seriesUid) - order(b.seriesUid) || (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) || compare(a.sopUid, b.sopUid),
    )
    .map((instance) => ({ study, series: seriesByUid.get(instance.seriesUid)?.series, instance }))
    .filter((r) => matchesKeys(request, r, ['series', 'instance']));
}

function bySeriesOrder(a: Series, b: Series): number {
  return (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0) || compare(a.seriesUid, b.seriesUid);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
