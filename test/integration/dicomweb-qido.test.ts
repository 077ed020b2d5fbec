/**
 * QIDO-RS on the local commons, driven by dicomweb-client (the client OHIF uses), at every
 * level: studies, a study's series, every series, a series' instances, a study's instances,
 * every instance. Matching keys of PS3.18 Table 10.6.1-5 (single values, lists, wildcards,
 * UID lists, StudyDate ranges against the year hilum keeps, StudyTime ranges), includefield (and all),
 * limit/offset, fuzzymatching; keys hilum cannot apply ignored with a Warning header; only
 * published studies the caller may get, at every level.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { makeSeries } from '../support/synthetic-dicom';
import { dicomwebClient, isDicomwebClientError, type DicomJson, type DicomwebClient } from '../support/dicomweb-client';
import { XhrOverFetch } from '../support/xhr-over-fetch';

jest.setTimeout(120_000);

const SITE = 'site-q';
const ROOT = '1.2.826.0.1.3680043.8.498.9100';
const CT_CLASS = '1.2.840.10008.5.1.4.1.1.2';
const CR_CLASS = '1.2.840.10008.5.1.4.1.1.1';
const description = (text: string) => ({ '00081030': { vr: 'LO', Value: [text] } });

const value = (item: DicomJson, tag: string) => item[tag]?.Value?.[0];
const values = (items: DicomJson[], tag: string) => items.map((i) => value(i, tag));

describe('DICOMweb QIDO-RS', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let client: DicomwebClient;
  let curatorClient: DicomwebClient;
  let researcherToken: string;
  /** Published (de-identified) UIDs and values, read back from the curator API. */
  let chest: { uid: string; year: number; patient: string };
  let hand: { uid: string; year: number; patient: string };
  let restricted: string;

  /** A search through dicomweb-client, with the answer's status and Warning header. */
  const search = async (
    call: (c: DicomwebClient, request: { instance: XhrOverFetch }) => Promise<DicomJson[]>,
    on: DicomwebClient = client,
  ) => {
    const xhr = new XhrOverFetch();
    try {
      const results = await call(on, { instance: xhr });
      return { status: xhr.status, results, warning: xhr.getResponseHeader('warning') };
    } catch (error) {
      if (!isDicomwebClientError(error)) throw error;
      return { status: error.status, results: [] as DicomJson[], warning: xhr.getResponseHeader('warning') };
    }
  };
  const studies = (queryParams: Record<string, string> = {}) => search((c, request) => c.searchForStudies({ queryParams, request }));
  const series = (queryParams: Record<string, string> = {}, studyInstanceUID?: string, on?: DicomwebClient) =>
    search((c, request) => c.searchForSeries({ queryParams, request, ...(studyInstanceUID ? { studyInstanceUID } : {}) }), on);
  const instances = (
    queryParams: Record<string, string> = {},
    scope: { studyInstanceUID?: string; seriesInstanceUID?: string } = {},
    on?: DicomwebClient,
  ) => search((c, request) => c.searchForInstances({ queryParams, request, ...scope }), on);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-qido-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    researcherToken = await commons.issueToken(['researcher'], 'qido-reader');
    client = dicomwebClient(commons.apiUrl, researcherToken);
    const curatorToken = await commons.issueToken(['curator'], 'qido-curator');
    curatorClient = dicomwebClient(commons.apiUrl, curatorToken);
    const curator = new HilumApi(commons.apiUrl, curatorToken);
    const site = new HilumApi(commons.apiUrl, await commons.issueToken([`site-uploader:${SITE}`], 'qido-site'));
    await curator.request('POST', '/projects', { projectId: 'q-open', name: 'open', availability: 'open', sites: [SITE] });
    await curator.request('POST', '/projects', {
      projectId: 'q-restricted',
      name: 'restricted',
      availability: 'restricted',
      sites: [SITE],
    });

    const chestPatient = { id: 'Q-PAT-1', name: 'ALPHA^ANN', sex: 'F', age: '054Y' };
    const handPatient = { id: 'Q-PAT-2', name: 'BETA^BEN', sex: 'M', age: '031Y' };
    const open = [
      // Study 1: a CT series of 3 (series 1) and a CR series of 2 (series 2).
      ...makeSeries(3, {
        modality: 'CT',
        studyInstanceUid: `${ROOT}.1`,
        seriesInstanceUid: `${ROOT}.1.1`,
        seriesNumber: 1,
        patient: chestPatient,
        elements: description('CT CHEST, W CONTRAST'),
      }),
      ...makeSeries(2, {
        modality: 'CR',
        studyInstanceUid: `${ROOT}.1`,
        seriesInstanceUid: `${ROOT}.1.2`,
        seriesNumber: 2,
        patient: chestPatient,
        elements: description('CT CHEST, W CONTRAST'),
      }),
      // Study 2: one DX instance of another patient.
      ...makeSeries(1, {
        modality: 'DX',
        studyInstanceUid: `${ROOT}.2`,
        seriesInstanceUid: `${ROOT}.2.1`,
        seriesNumber: 1,
        patient: handPatient,
        elements: description('DX HAND'),
      }),
    ];
    const closed = makeSeries(1, {
      modality: 'CT',
      studyInstanceUid: `${ROOT}.3`,
      seriesInstanceUid: `${ROOT}.3.1`,
      patient: chestPatient,
    });
    for (const [project, files] of [
      ['q-open', open],
      ['q-restricted', closed],
    ] as const) {
      const { submissionId } = await site.createSubmission(project, SITE);
      const named = files.map((bytes, i) => ({ name: `q${i}.dcm`, bytes }));
      const { uploads } = await site.requestUploads(
        submissionId,
        named.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
      );
      for (const u of uploads) await fetch(u.url!, { method: 'PUT', body: named.find((f) => f.name === u.name)!.bytes });
      await site.completeSubmission(submissionId);
    }
    await commons.idle();
    const published = (await curator.listStudies({ project: 'q-open' })).studies;
    expect(published).toHaveLength(2);
    // The shifted StudyDate and the pseudonym, as the published objects hold them.
    const read = async (uid: string) => {
      const header = (await curatorClient.retrieveStudyMetadata({ studyInstanceUID: uid }))[0]!;
      return { uid, year: Number(String(value(header, '00080020')).slice(0, 4)), patient: String(value(header, '00100020')) };
    };
    chest = await read(published.find((s) => s.modalities.includes('CT'))!.studyUid);
    hand = await read(published.find((s) => s.modalities.includes('DX'))!.studyUid);
    expect(chest.year).toBeGreaterThan(2000);
    expect(chest.patient).toMatch(/^HILUM-/);
    restricted = (await curator.listStudies({ project: 'q-restricted' })).studies[0]!.studyUid;
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('searches studies with the required keys: UIDs, names and IDs (wildcards, fuzzy), modalities, descriptions', async () => {
    const all = await studies();
    expect(all.status).toBe(200);
    expect(all.warning).toBeNull();
    expect(values(all.results, '0020000D').sort()).toEqual([chest.uid, hand.uid].sort());
    const first = all.results.find((s) => value(s, '0020000D') === chest.uid)!;
    expect(first['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: chest.patient }] });
    expect(first['00100020']).toEqual({ vr: 'LO', Value: [chest.patient] });
    expect(first['00080061']).toEqual({ vr: 'CS', Value: ['CR', 'CT'] });
    expect(first['00201206']).toEqual({ vr: 'IS', Value: [2] });
    expect(first['00201208']).toEqual({ vr: 'IS', Value: [5] });
    expect(first['00100040']).toEqual({ vr: 'CS', Value: ['F'] });
    expect(first['00080020']).toEqual({ vr: 'DA' });

    const only = async (params: Record<string, string>) => values((await studies(params)).results, '0020000D').sort();
    expect(await only({ StudyInstanceUID: chest.uid })).toEqual([chest.uid]);
    expect(await only({ StudyInstanceUID: `${chest.uid},${hand.uid}` })).toEqual([chest.uid, hand.uid].sort());
    expect(await only({ '0020000D': `${restricted}` })).toEqual([]);
    expect(await only({ PatientID: hand.patient })).toEqual([hand.uid]);
    expect(await only({ PatientName: 'HILUM-*' })).toEqual([chest.uid, hand.uid].sort());
    expect(await only({ PatientName: `${chest.patient.slice(0, -1)}?` })).toEqual([chest.uid]);
    expect(await only({ PatientName: chest.patient.toLowerCase() })).toEqual([]);
    expect(await only({ PatientName: chest.patient.toLowerCase(), fuzzymatching: 'true' })).toEqual([chest.uid]);
    expect(await only({ ModalitiesInStudy: 'CR' })).toEqual([chest.uid]);
    expect(await only({ ModalitiesInStudy: 'DX,CR' })).toEqual([chest.uid, hand.uid].sort());
    expect(await only({ StudyDescription: '*CHEST*' })).toEqual([chest.uid]);
    expect(await only({ PatientSex: 'M' })).toEqual([hand.uid]);
    expect((await studies({ ModalitiesInStudy: 'US' })).status).toBe(204);
  });

  it('matches StudyDate ranges against the year of the shifted date, the only part hilum keeps', async () => {
    const y = chest.year;
    const matched = async (StudyDate: string) => values((await studies({ StudyDate, ModalitiesInStudy: 'CT' })).results, '0020000D');
    expect(await matched(`${y}0615`)).toEqual([chest.uid]);
    expect(await matched(`${y}0101-${y}1231`)).toEqual([chest.uid]);
    // Any day of the year matches: the day itself is not kept.
    expect(await matched(`${y}0101`)).toEqual([chest.uid]);
    expect(await matched(`${y - 1}1231-${y}0101`)).toEqual([chest.uid]);
    expect(await matched(`-${y - 1}1231`)).toEqual([]);
    expect(await matched(`${y + 1}0101-`)).toEqual([]);
    expect(await matched(`${y - 5}0101-${y - 1}1231\\${y}0301`)).toEqual([chest.uid]);
    const bad = await studies({ StudyDate: `${y}-01-01` });
    expect(bad.status).toBe(400);
  });

  it('matches StudyTime ranges against the time of day de-identification keeps', async () => {
    // The synthetic instances were acquired at 10:15:00.
    const matched = async (StudyTime: string) => values((await studies({ StudyTime })).results, '0020000D').sort();
    expect(await matched('1000-1030')).toEqual([chest.uid, hand.uid].sort());
    expect(await matched('10')).toEqual([chest.uid, hand.uid].sort());
    expect(await matched('0800-0900')).toEqual([]);
    expect(await matched('1016-')).toEqual([]);
    expect((await studies({ StudyTime: '1015' })).results[0]!['00080030']).toEqual({ vr: 'TM', Value: ['101500'] });
    expect((await studies({ StudyTime: '25' })).status).toBe(400);
  });

  it('pages with limit and offset, says when more results remain, and returns includefield attributes (and all)', async () => {
    const page1 = await studies({ limit: '1' });
    const page2 = await studies({ limit: '1', offset: '1' });
    expect(page1.results).toHaveLength(1);
    expect(page1.warning).toMatch(/^299 http:\/\/127\.0\.0\.1:\d+\/dicomweb: "There are additional results that can be requested/);
    expect(page2.results).toHaveLength(1);
    expect(page2.warning).toBeNull();
    expect(value(page1.results[0]!, '0020000D')).not.toBe(value(page2.results[0]!, '0020000D'));
    expect((await studies({ offset: '2' })).status).toBe(204);

    const withAge = await studies({ PatientID: chest.patient, includefield: 'PatientAge,00080070' });
    expect(withAge.results[0]!['00101010']).toEqual({ vr: 'AS', Value: ['054Y'] });
    expect(withAge.results[0]!['00080070']).toBeUndefined(); // a series attribute: not at the study level
    expect(withAge.warning).toContain('The following attributes were not supported and were ignored: 00080070.');
    const all = await series({ includefield: 'all', Modality: 'CT' }, chest.uid);
    expect(all.results).toHaveLength(1);
    expect(all.results[0]!['00101010']).toEqual({ vr: 'AS', Value: ['054Y'] });
    expect(all.results[0]!['00081030']).toEqual({ vr: 'LO', Value: ['CT CHEST, W CONTRAST'] });
  });

  it('ignores keys it cannot apply and names them in a Warning header instead of refusing the search', async () => {
    const unknown = await studies({ PatientWeight: '70', AccessionNumber: 'ACC*', ModalitiesInStudy: 'DX' });
    expect(unknown.status).toBe(200);
    expect(values(unknown.results, '0020000D')).toEqual([hand.uid]);
    expect(unknown.warning).toContain('"The following attributes were not supported and were ignored: PatientWeight."');
    expect(unknown.warning).toContain("not kept in hilum's catalog and were not matched: AccessionNumber.");
    const deeper = await studies({ SOPInstanceUID: '1.2.3' });
    expect(deeper.results).toHaveLength(2);
    expect(deeper.warning).toContain('not matching keys at the study level and were ignored: SOPInstanceUID');
  });

  it('searches the series of a study and of every study, with study keys and attributes at the top level', async () => {
    const ofChest = await series({}, chest.uid);
    expect(values(ofChest.results, '00080060')).toEqual(['CT', 'CR']);
    expect(values(ofChest.results, '00200011')).toEqual([1, 2]);
    expect(values(ofChest.results, '00201209')).toEqual([3, 2]);
    expect(ofChest.results[0]!['00100020']).toBeUndefined();
    expect(value(ofChest.results[1]!, '00081190')).toBe(
      `${commons.apiUrl}/dicomweb/studies/${chest.uid}/series/${value(ofChest.results[1]!, '0020000E') as string}`,
    );
    expect(values((await series({ Modality: 'CR' }, chest.uid)).results, '00080060')).toEqual(['CR']);
    expect(values((await series({ SeriesNumber: '2' }, chest.uid)).results, '00080060')).toEqual(['CR']);

    const everywhere = await series();
    expect(everywhere.results).toHaveLength(3);
    expect(new Set(values(everywhere.results, '0020000D'))).toEqual(new Set([chest.uid, hand.uid]));
    const dx = everywhere.results.find((s) => value(s, '00080060') === 'DX')!;
    expect(value(dx, '00100020')).toBe(hand.patient);
    expect(value(dx, '00081030')).toBe('DX HAND');
    expect(values((await series({ PatientID: chest.patient, Modality: 'CT' })).results, '0020000D')).toEqual([chest.uid]);
    expect((await series({ limit: '2', offset: '2' })).results).toHaveLength(1);
  });

  it('searches the instances of a series, of a study and of every study', async () => {
    const ofStudy = await instances({}, { studyInstanceUID: chest.uid });
    expect(ofStudy.results).toHaveLength(5);
    expect(values(ofStudy.results, '00080016')).toEqual([CT_CLASS, CT_CLASS, CT_CLASS, CR_CLASS, CR_CLASS]);
    expect(values(ofStudy.results, '00200013')).toEqual([1, 2, 3, 1, 2]);
    expect(value(ofStudy.results[3]!, '0008103E')).toBeUndefined(); // no description in the synthetic series
    expect(value(ofStudy.results[3]!, '00080060')).toBe('CR');
    const crSeries = value(ofStudy.results[3]!, '0020000E') as string;

    const ofSeries = await instances({}, { studyInstanceUID: chest.uid, seriesInstanceUID: crSeries });
    expect(values(ofSeries.results, '00200013')).toEqual([1, 2]);
    const sop = value(ofSeries.results[1]!, '00080018') as string;
    expect(value(ofSeries.results[1]!, '00081190')).toBe(
      `${commons.apiUrl}/dicomweb/studies/${chest.uid}/series/${crSeries}/instances/${sop}`,
    );
    expect(
      values((await instances({ SOPClassUID: CR_CLASS, InstanceNumber: '2' }, { studyInstanceUID: chest.uid })).results, '00080018'),
    ).toEqual([sop]);
    expect(
      (await instances({ limit: '2', offset: '1' }, { studyInstanceUID: chest.uid })).results.map((i) => value(i, '00200013')),
    ).toEqual([2, 3]);

    const everywhere = await instances();
    expect(everywhere.results).toHaveLength(6);
    expect(values((await instances({ Modality: 'DX' })).results, '0020000D')).toEqual([hand.uid]);
    const bySop = await instances({ SOPInstanceUID: sop });
    expect(bySop.results).toHaveLength(1);
    expect(value(bySop.results[0]!, '00100020')).toBe(chest.patient);
  });

  it('searches only published studies the caller may get, at every level; a study in the path it may not get is 404', async () => {
    expect((await series({}, restricted)).status).toBe(404);
    expect((await instances({}, { studyInstanceUID: restricted })).status).toBe(404);
    expect(values((await series()).results, '0020000D')).not.toContain(restricted);
    expect(values((await instances()).results, '0020000D')).not.toContain(restricted);
    expect((await instances({ StudyInstanceUID: restricted })).status).toBe(204);
    // A curator sees every project.
    expect(values((await series({}, undefined, curatorClient)).results, '0020000D')).toContain(restricted);
    expect((await instances({ StudyInstanceUID: restricted }, {}, curatorClient)).results).toHaveLength(1);
  });

  it('audits every search: the level searched, or the study of the path with the basis of its decision', async () => {
    const admin = new HilumApi(commons.apiUrl, await commons.issueToken(['admin'], 'qido-admin'));
    type Event = { action: string; actor: string; targetType: string; targetId: string; details?: { route?: string; basis?: string } };
    const events = async (resource: string) =>
      (await admin.request<{ events: Event[] }>('GET', `/audit?resource=${encodeURIComponent(resource)}&limit=100`)).events;
    for (const [level, route] of [
      ['studies', 'GET /dicomweb/studies'],
      ['series', 'GET /dicomweb/series'],
      ['instances', 'GET /dicomweb/instances'],
    ] as const) {
      const found = await events(`dicomweb:${level}`);
      expect(found.some((e) => e.action === 'access.allowed' && e.details?.route === route)).toBe(true);
    }
    const ofStudy = await events(`study:${chest.uid}`);
    expect(ofStudy.some((e) => e.details?.route === 'GET /dicomweb/studies/{study}/instances' && e.details.basis === 'open')).toBe(true);
    const refused = await events(`study:${restricted}`);
    expect(refused.some((e) => e.action === 'access.denied' && e.details?.route === 'GET /dicomweb/studies/{study}/series')).toBe(true);
  });
});
