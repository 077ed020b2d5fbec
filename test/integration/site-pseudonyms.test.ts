/**
 * Patient pseudonyms are keyed by the site that issued the PatientID (issue 11,
 * S6), on the local commons. Two sites of one project both use the MRN
 * `MRN-1001` for different patients and send their demographics in cases.csv:
 * the two studies get two pseudonyms and two cases, and site B's sheet does not
 * overwrite site A's case (before, one case held site B's demographics for both).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { ProjectRepository } from '../../layers/adapters/aws/dynamodb/project-repository';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(240_000);

const PROJECT = 'two-site-cohort';
const MRN = 'MRN-1001';

describe('the same PatientID at two sites', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let documents: DynamoDBDocumentClient;
  let curator: HilumApi;
  let curatorToken: string;
  const studies: Record<'site-a' | 'site-b', string> = { 'site-a': '', 'site-b': '' };

  beforeAll(async () => {
    process.env.SEARCH_SNAPSHOT_TTL_MS = '0';
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-site-pseudonyms-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: commons.dynamodbEndpoint, region: 'us-east-1', credentials: commons.credentials }),
    );
    curatorToken = await commons.issueToken(['curator'], 'curator-s6');
    curator = new HilumApi(commons.apiUrl, curatorToken);
    await curator.request('POST', '/projects', {
      projectId: PROJECT,
      name: 'two sites',
      availability: 'open',
      sites: ['site-a', 'site-b'],
    });

    // Different patients, different studies; the same MRN, each site's own demographics.
    const sent = [
      {
        site: 'site-a',
        study: '1.2.826.0.1.3680043.8.498.1001.1',
        cases: `case_id,sex,age_at_index,covid19_positive\n${MRN},Female,41,Yes\n`,
      },
      {
        site: 'site-b',
        study: '1.2.826.0.1.3680043.8.498.1001.2',
        cases: `case_id,sex,age_at_index,covid19_positive\n${MRN},Male,72,No\n`,
      },
    ] as const;
    for (const { site, study, cases } of sent) {
      const token = await commons.issueToken([`site-uploader:${site}`], `uploader-${site}`);
      const api = new HilumApi(commons.apiUrl, token);
      const { submissionId } = await api.createSubmission(PROJECT, site);
      const casesResponse = await fetch(`${commons.apiUrl}/submissions/${submissionId}/cases`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        body: cases,
      });
      expect(casesResponse.status).toBe(200);
      const files = makeSeries(2, {
        modality: 'CT',
        rows: 32,
        columns: 32,
        studyInstanceUid: study,
        seriesInstanceUid: `${study}.1`,
        patient: { id: MRN },
      }).map((bytes, i) => ({ name: `${site}-${i}.dcm`, bytes }));
      const { uploads } = await api.requestUploads(
        submissionId,
        files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
      );
      for (const u of uploads)
        expect((await fetch(u.url!, { method: 'PUT', body: files.find((f) => f.name === u.name)!.bytes })).status).toBe(200);
      await api.completeSubmission(submissionId);
      await commons.idle();
      expect(await api.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: 2 });
    }
    for (const study of (await curator.listStudies({ project: PROJECT })).studies)
      studies[study.site as 'site-a' | 'site-b'] = study.studyUid;
    // A release cut rebuilds every row from the catalog's cases: what the cases say now.
    await curator.request('POST', '/releases', { notes: 'S6' });
  });

  afterAll(async () => {
    delete process.env.SEARCH_SNAPSHOT_TTL_MS;
    documents?.destroy();
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('gives the two patients two pseudonyms', async () => {
    const [a, b] = await Promise.all([patientIdOf(studies['site-a']), patientIdOf(studies['site-b'])]);
    expect(a).toMatch(/^HILUM-[0-9A-F]{16}$/);
    expect(b).toMatch(/^HILUM-[0-9A-F]{16}$/);
    expect(a).not.toBe(b);
  });

  it("keeps two cases, each with its own site's demographics: site B's sheet did not overwrite site A's", async () => {
    const cases = await new ProjectRepository(documents, commons.tableName).listCases(PROJECT);
    expect(
      cases
        .map(({ site, sex, ageAtIndex, covid19Positive }) => ({ site, sex, ageAtIndex, covid19Positive }))
        .sort((x, y) => (x.site < y.site ? -1 : 1)),
    ).toEqual([
      { site: 'site-a', sex: 'Female', ageAtIndex: 41, covid19Positive: 'Yes' },
      { site: 'site-b', sex: 'Male', ageAtIndex: 72, covid19Positive: 'No' },
    ]);
    expect(new Set(cases.map((c) => c.casePseudonym)).size).toBe(2);
    expect(JSON.stringify(cases)).not.toContain(MRN);

    const search = await curator.request<{ total: number; facets: Record<string, { value: string; count: number }[]> }>('POST', '/search', {
      facets: { project: [PROJECT] },
      limit: 10,
    });
    expect(search.total).toBe(2);
    expect(search.facets.sex).toEqual([
      { value: 'Female', count: 1 },
      { value: 'Male', count: 1 },
    ]);
    expect(search.facets.covid19).toEqual([
      { value: 'No', count: 1 },
      { value: 'Yes', count: 1 },
    ]);
  });

  /** The PatientID (the case pseudonym) QIDO shows for a study. */
  async function patientIdOf(studyUid: string): Promise<string> {
    const response = await fetch(`${commons.apiUrl}/dicomweb/studies?StudyInstanceUID=${studyUid}`, {
      headers: { authorization: `Bearer ${curatorToken}`, accept: 'application/dicom+json' },
    });
    const [entry] = (await response.json()) as Record<string, { Value?: string[] }>[];
    return entry!['00100020']!.Value![0]!;
  }
});
