/**
 * A curator's quarantine release keeps the catalog whole (issue 12): the only
 * file of a new study, quarantined for burned-in annotation in a submission that
 * published without it, is released by a curator. Its study must then have its
 * series entity (QIDO series search), be counted by search at once (no waiting
 * for the next release cut), serve its files to a researcher, and a later
 * submission to the same study must add its instances and series to it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { localS3Client } from '../support/local-clients';
import { createProject } from '../support/projects';
import { HilumApi } from '../../cli/lib/api-client';
import { makeDicom } from '../support/synthetic-dicom';
import { CT_RESCALE } from '../unit/qa/support';

jest.setTimeout(240_000);

const STUDY = '1.2.826.0.1.3680043.8.498.7312.1';
const SERIES_A = '1.2.826.0.1.3680043.8.498.7312.2';
const SERIES_B = '1.2.826.0.1.3680043.8.498.7312.3';
const PROJECT = 'release-whole';

interface SearchAnswer {
  total: number;
  studies: { studyUid: string; project: string; instanceCount?: number }[];
}
type Json = Record<string, { Value?: unknown[] }>;

describe('a curator release keeps the catalog whole', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let site: HilumApi;
  let researcher: HilumApi;
  let curator: HilumApi;
  let researcherToken: string;
  let studyUid: string;
  let s3: S3Client;

  const patient = { id: 'RELEASE-WHOLE-1' };
  const burned = makeDicom({
    studyInstanceUid: STUDY,
    seriesInstanceUid: SERIES_A,
    elements: CT_RESCALE,
    patient,
    burnedInAnnotation: 'YES',
  });

  async function submit(files: Record<string, Uint8Array>): Promise<{ submissionId: string; ids: Record<string, string> }> {
    const { submissionId } = await site.createSubmission(PROJECT, 'site-a');
    const { uploads } = await site.requestUploads(
      submissionId,
      Object.entries(files).map(([name, bytes]) => ({ name, size: bytes.byteLength })),
    );
    const ids: Record<string, string> = {};
    for (const u of uploads) {
      ids[u.name!] = u.fileId;
      expect((await fetch(u.url!, { method: 'PUT', body: files[u.name!]! })).status).toBe(200);
    }
    await site.completeSubmission(submissionId);
    await commons.idle();
    return { submissionId, ids };
  }
  const search = (api: HilumApi) => api.request<SearchAnswer>('POST', '/search', { facets: { project: [PROJECT] }, limit: 50 });
  const qidoSeries = async (uid: string) => {
    const response = await fetch(`${commons.apiUrl}/dicomweb/studies/${uid}/series`, {
      headers: { authorization: `Bearer ${researcherToken}`, accept: 'application/dicom+json' },
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Json[]) : [] };
  };

  beforeAll(async () => {
    process.env.SEARCH_SNAPSHOT_TTL_MS = '0';
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-release-whole-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-a'));
    researcherToken = await commons.issueToken(['researcher'], 'researcher-1');
    researcher = new HilumApi(commons.apiUrl, researcherToken);
    const curatorToken = await commons.issueToken(['curator'], 'curator-1');
    curator = new HilumApi(commons.apiUrl, curatorToken);
    await createProject(commons.apiUrl, curatorToken, PROJECT, ['site-a']);
    s3 = localS3Client(commons);
  });

  afterAll(async () => {
    await commons?.stop();
    s3?.destroy();
    delete process.env.SEARCH_SNAPSHOT_TTL_MS;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes a released file of a new study with its series, searchable at once and downloadable', async () => {
    const { submissionId, ids } = await submit({ 'burned.dcm': burned });
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', quarantinedCount: 1 });
    expect((await search(researcher)).total).toBe(0);

    const released = await curator.request<{ published: boolean; searchable: boolean; studyUid: string }>(
      'POST',
      `/quarantine/${ids['burned.dcm']}/release`,
      {
        reason: 'reviewed: no text in the pixels',
        override: ['deid.pixel-review'],
      },
    );
    expect(released).toMatchObject({ published: true, searchable: true });
    studyUid = released.studyUid;

    const series = await qidoSeries(studyUid);
    expect(series.status).toBe(200);
    expect(series.body).toHaveLength(1);
    const found = await search(researcher);
    expect(found.total).toBe(1);
    expect(found.studies.map((s) => s.studyUid)).toEqual([studyUid]);
    const { files } = await researcher.studyFiles(studyUid);
    expect(files).toHaveLength(1);
    expect((await fetch(files[0]!.url)).status).toBe(200);
  });

  it("exports the released study's series in the next release's Parquet series table", async () => {
    await curator.request('POST', '/releases', { notes: 'after a curator release' });
    const path = join(dataDir, 'series.parquet');
    const got = await s3.send(new GetObjectCommand({ Bucket: commons.buckets.released, Key: 'analytics/series/release=1/part-0.parquet' }));
    await writeFile(path, await got.Body!.transformToByteArray());
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    try {
      const rows = (
        await connection.runAndReadAll(`SELECT study_uid, count(*) AS n FROM '${path}' GROUP BY study_uid`)
      ).getRowObjectsJson();
      expect(rows).toEqual([{ study_uid: studyUid, n: '1' }]);
    } finally {
      connection.closeSync();
    }
  });

  it("adds a later submission's instances and series to the released study", async () => {
    await submit({
      'a-2.dcm': makeDicom({ studyInstanceUid: STUDY, seriesInstanceUid: SERIES_A, elements: CT_RESCALE, patient, instanceNumber: 2 }),
      'b-1.dcm': makeDicom({
        studyInstanceUid: STUDY,
        seriesInstanceUid: SERIES_B,
        elements: CT_RESCALE,
        patient,
        instanceNumber: 1,
        seriesNumber: 2,
      }),
    });
    const series = await qidoSeries(studyUid);
    expect(series.status).toBe(200);
    expect(series.body).toHaveLength(2);
    const found = await search(researcher);
    expect(found.total).toBe(1);
    expect(found.studies[0]).toMatchObject({ studyUid });
    const { studies } = await researcher.listStudies();
    expect(studies.filter((s) => s.project === PROJECT)).toEqual([expect.objectContaining({ studyUid, instanceCount: 3 })]);
    expect((await researcher.studyFiles(studyUid)).files).toHaveLength(3);
  });
});
