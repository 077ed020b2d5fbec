import { parseQido, walkQido, type QidoLevel, type QidoSource } from '../../../layers/dicomweb';
import type { Instance, Study } from '../../../layers/catalog/entities';
import type { Series } from '../../../layers/catalog/commons-entities';

const study = (n: number, modalities: string[]): Study => ({
  studyUid: `2.25.${n}`,
  project: 'p',
  site: 's',
  status: 'published',
  modalities,
  seriesCount: 2,
  instanceCount: 3,
  totalBytes: 1,
  submissionIds: [],
  indexedAt: '2026-01-01T00:00:00Z',
});
const series = (studyN: number, n: number, seriesNumber: number, modality: string): Series => ({
  studyUid: `2.25.${studyN}`,
  seriesUid: `2.25.${studyN}.${n}`,
  project: 'p',
  site: 's',
  modality,
  seriesNumber,
  instanceCount: 1,
  totalBytes: 1,
  indexedAt: '2026-01-01T00:00:00Z',
});
const instance = (s: Series, n: number, instanceNumber: number): Instance => ({
  studyUid: s.studyUid,
  seriesUid: s.seriesUid,
  sopUid: `${s.seriesUid}.${n}`,
  project: 'p',
  site: 's',
  submissionId: 'sub',
  fileId: 'f',
  objectKey: 'k',
  size: 1,
  sha256: 'x',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  modality: s.modality,
  stagedAt: '2026-01-01T00:00:00Z',
  instanceNumber,
});

// Study 1: series B (number 2, MR) listed before series A (number 1, CT); study 2: one DX series.
const S1 = [series(1, 2, 2, 'MR'), series(1, 1, 1, 'CT')];
const S2 = [series(2, 1, 1, 'DX')];
const INSTANCES: Record<string, Instance[]> = {
  '2.25.1': [instance(S1[0]!, 1, 1), instance(S1[1]!, 2, 2), instance(S1[1]!, 1, 1)],
  '2.25.2': [instance(S2[0]!, 1, 1)],
};

function source(studies: Study[], reads: string[] = []): QidoSource {
  return {
    studies: (async function* () {
      for (const s of studies) {
        reads.push(s.studyUid);
        yield s;
      }
    })(),
    listSeries: async (uid) => (uid === '2.25.1' ? S1 : S2),
    listInstances: async (uid) => INSTANCES[uid] ?? [],
  };
}
const q = (p: Record<string, string>, level: QidoLevel, scope = {}) =>
  parseQido(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, [v]])), level, scope);
const FAR = { deadline: Number.MAX_SAFE_INTEGER };
const STUDIES = [study(1, ['CT', 'MR']), study(2, ['DX'])];

describe('the QIDO-RS walk', () => {
  it('orders series by Series Number and instances by series, then Instance Number', async () => {
    const seriesPage = await walkQido(q({}, 'series'), undefined, source(STUDIES), FAR);
    expect(seriesPage.records.map((r) => r.series?.seriesUid)).toEqual(['2.25.1.1', '2.25.1.2', '2.25.2.1']);
    const instancePage = await walkQido(q({}, 'instance', { study: '2.25.1' }), undefined, source([STUDIES[0]!]), FAR);
    expect(instancePage.records.map((r) => r.instance?.sopUid)).toEqual(['2.25.1.1.1', '2.25.1.1.2', '2.25.1.2.1']);
    expect(instancePage.records[2]!.series?.modality).toBe('MR');
  });

  it('keeps only the series named in the path', async () => {
    const page = await walkQido(q({}, 'instance', { study: '2.25.1', series: '2.25.1.2' }), '2.25.1.2', source([STUDIES[0]!]), FAR);
    expect(page.records.map((r) => r.instance?.sopUid)).toEqual(['2.25.1.2.1']);
  });

  it('filters studies by the study keys before reading their series, and pages with limit and offset', async () => {
    const byStudyKey = await walkQido(q({ ModalitiesInStudy: 'DX' }, 'instance'), undefined, source(STUDIES), FAR);
    expect(byStudyKey.records.map((r) => r.instance?.sopUid)).toEqual(['2.25.2.1.1']);
    const first = await walkQido(q({ limit: '2' }, 'instance'), undefined, source(STUDIES), FAR);
    expect(first.records).toHaveLength(2);
    expect(first.more).toBe(true);
    const last = await walkQido(q({ limit: '2', offset: '2' }, 'instance'), undefined, source(STUDIES), FAR);
    expect(last.records.map((r) => r.instance?.sopUid)).toEqual(['2.25.1.2.1', '2.25.2.1.1']);
    expect(last.more).toBe(false);
  });

  it('stops reading studies once the page and one more result are found', async () => {
    const reads: string[] = [];
    const page = await walkQido(q({ limit: '1' }, 'study'), undefined, source(STUDIES, reads), FAR);
    expect(page.records).toHaveLength(1);
    expect(page.more).toBe(true);
    expect(reads).toEqual(['2.25.1', '2.25.2']);
    const reads2: string[] = [];
    await walkQido(q({ limit: '1' }, 'instance'), undefined, source(STUDIES, reads2), FAR);
    expect(reads2).toEqual(['2.25.1']);
  });

  it('answers what it found, marked incomplete, when the time allowed is spent', async () => {
    let clock = 0;
    const ticking = { deadline: 10, now: () => (clock += 6) };
    const page = await walkQido(q({}, 'study'), undefined, source(STUDIES), ticking);
    expect(page.records.map((r) => r.study.studyUid)).toEqual(['2.25.1']);
    expect(page.incomplete).toBe(true);
    expect(page.studiesRead).toBe(1);
  });
});
