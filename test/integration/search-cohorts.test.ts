/**
 * Cohort search end to end on the local commons: two sites publish studies of
 * several patients (synthetic DICOM: modalities, sexes, ages, manufacturers) with
 * their cases.csv into open, restricted and sequestered projects; a curator cuts a
 * release; researchers search with combined filters (counts per facet with the
 * facet's own filter left out, pages), see only what they may (a fixed grant opens
 * the restricted project), save a cohort and fetch its manifest, whose sizes and
 * SHA-256s match the released objects. The cohort stays pinned to its release when
 * more is published, and the release's Parquet export reads back in DuckDB.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DuckDBInstance } from '@duckdb/node-api';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { HilumApi, ApiError } from '../../cli/lib/api-client';
import { AccessRepository } from '../../layers/adapters/aws/dynamodb/access-repository';
import { releasedKey } from '../../layers/pipeline/object-keys';
import { makeDicom } from '../support/synthetic-dicom';
import { localS3Client } from '../support/local-clients';

jest.setTimeout(300_000);

interface Patient {
  readonly id: string;
  readonly modality: 'CT' | 'DX' | 'CR';
  readonly sex: 'F' | 'M';
  readonly age: string;
  readonly manufacturer: string;
  readonly instances: number;
}

const ROOT = '1.2.826.0.1.3680043.8.498.5151';
let uidSeq = 0;

function studyFiles(p: Patient): Uint8Array[] {
  uidSeq += 1;
  const study = `${ROOT}.${uidSeq}`;
  return Array.from({ length: p.instances }, (_, i) =>
    makeDicom({
      modality: p.modality,
      studyInstanceUid: study,
      seriesInstanceUid: `${study}.1`,
      instanceNumber: i + 1,
      patient: { id: p.id, sex: p.sex, age: p.age },
      elements: {
        '00080070': { vr: 'LO', Value: [p.manufacturer] },
        '00180050': { vr: 'DS', Value: [p.modality === 'CT' ? 1.25 : 0] },
        ...(p.modality === 'CT' ? {} : { '00185101': { vr: 'CS', Value: ['PA'] } }),
      },
    }),
  );
}

describe('faceted search, cohorts and manifests on the local commons', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let siteAToken: string;
  let siteBToken: string;
  let siteA: HilumApi;
  let siteB: HilumApi;
  let researcher: HilumApi;
  let granted: HilumApi;
  let curator: HilumApi;
  let s3: S3Client;
  let documents: DynamoDBDocumentClient;
  let cohortId: string;

  beforeAll(async () => {
    process.env.SEARCH_SNAPSHOT_TTL_MS = '0'; // every search checks the pointer: no waiting in tests
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-search-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    siteAToken = await commons.issueToken(['site-uploader:site-a'], 'uploader-a');
    siteBToken = await commons.issueToken(['site-uploader:site-b'], 'uploader-b');
    siteA = new HilumApi(commons.apiUrl, siteAToken);
    siteB = new HilumApi(commons.apiUrl, siteBToken);
    researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-plain'));
    const grantedToken = await commons.issueToken(['researcher'], 'researcher-granted');
    granted = new HilumApi(commons.apiUrl, grantedToken);
    curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-1'));
    s3 = localS3Client(commons);
    documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: commons.dynamodbEndpoint,
        region: 'us-east-1',
        credentials: commons.credentials,
      }),
    );

    // The fixed grant of the visibility hook: the access-request issue will issue these.
    const subject = JSON.parse(Buffer.from(grantedToken.split('.')[1]!, 'base64url').toString('utf8')).sub as string;
    await new AccessRepository(documents, commons.tableName).putGrant({
      subject,
      project: 'covid-restricted',
      grantedBy: 'test',
      grantedAt: new Date().toISOString(),
    });
  });

  afterAll(async () => {
    delete process.env.SEARCH_SNAPSHOT_TTL_MS;
    await commons?.stop();
    s3?.destroy();
    documents?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function publish(
    site: HilumApi,
    siteName: string,
    project: string,
    patients: readonly Patient[],
    casesCsv?: string,
  ): Promise<void> {
    const { submissionId } = await site.createSubmission(project, siteName);
    const files = patients.flatMap((p) => studyFiles(p).map((bytes, i) => ({ name: `${p.id}-${i}.dcm`, bytes })));
    const { uploads } = await site.requestUploads(
      submissionId,
      files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
    );
    for (const upload of uploads) {
      const response = await fetch(upload.url!, { method: 'PUT', body: files.find((f) => f.name === upload.name)!.bytes });
      expect(response.status).toBe(200);
    }
    if (casesCsv) expect((await putCases(site, submissionId, casesCsv)).status).toBe(200);
    await site.completeSubmission(submissionId);
    await commons.idle();
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: files.length });
  }

  /** cases.csv goes up as text/csv, not JSON, so plain fetch. */
  function putCases(site: HilumApi, submissionId: string, csv: string): Promise<Response> {
    const bearer = site === siteA ? siteAToken : siteBToken;
    return fetch(`${commons.apiUrl}/submissions/${submissionId}/cases`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'text/csv' },
      body: csv,
    });
  }

  it("publishes two sites' studies with their cases into open, restricted and sequestered projects, and cuts release 1", async () => {
    await curator.request('POST', '/projects', {
      projectId: 'covid-open',
      name: 'COVID open',
      availability: 'open',
      sites: ['site-a', 'site-b'],
    });
    await curator.request('POST', '/projects', {
      projectId: 'covid-restricted',
      name: 'COVID restricted',
      availability: 'restricted',
      sites: ['site-a'],
    });
    await curator.request('POST', '/projects', {
      projectId: 'covid-sequestered',
      name: 'COVID sequestered',
      availability: 'sequestered',
      sites: ['site-b'],
    });

    await publish(
      siteA,
      'site-a',
      'covid-open',
      [
        { id: 'A-PT-1', modality: 'CT', sex: 'F', age: '054Y', manufacturer: 'GE MEDICAL SYSTEMS', instances: 2 },
        { id: 'A-PT-2', modality: 'DX', sex: 'M', age: '067Y', manufacturer: 'SIEMENS', instances: 1 },
        { id: 'A-PT-3', modality: 'CT', sex: 'F', age: '030Y', manufacturer: 'SIEMENS', instances: 1 },
      ],
      [
        'case_id,sex,age_at_index,race,ethnicity,covid19_positive',
        'A-PT-1,Female,55,White,Not Hispanic or Latino,Yes',
        'A-PT-2,Male,93,Black or African American,Not Hispanic or Latino,No',
        'A-PT-3,Female,31,Asian,Hispanic or Latino,Yes',
      ].join('\n'),
    );
    await publish(
      siteB,
      'site-b',
      'covid-open',
      [
        { id: 'B-PT-1', modality: 'CT', sex: 'F', age: '058Y', manufacturer: 'GE MEDICAL SYSTEMS', instances: 1 },
        { id: 'B-PT-2', modality: 'CR', sex: 'M', age: '040Y', manufacturer: 'PHILIPS', instances: 1 }, // no case row: DICOM's sex and age
      ],
      'case_id,sex,age_at_index,covid19_positive\nB-PT-1,Female,58,Yes\n',
    );
    await publish(
      siteA,
      'site-a',
      'covid-restricted',
      [{ id: 'R-PT-1', modality: 'CT', sex: 'F', age: '060Y', manufacturer: 'GE MEDICAL SYSTEMS', instances: 1 }],
      'case_id,sex,covid19_positive\nR-PT-1,Female,Yes\n',
    );
    await publish(siteB, 'site-b', 'covid-sequestered', [
      { id: 'S-PT-1', modality: 'CT', sex: 'F', age: '052Y', manufacturer: 'GE MEDICAL SYSTEMS', instances: 1 },
    ]);
    expect(commons.executions().filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);

    const release = await curator.request<{ releaseNumber: number; studyCount: number; instanceCount: number }>('POST', '/releases', {
      notes: 'first cut',
    });
    expect(release).toMatchObject({ releaseNumber: 1, studyCount: 7, instanceCount: 8 });
    const { releases } = await researcher.request<{ releases: { releaseNumber: number }[] }>('GET', '/releases');
    expect(releases.map((r) => r.releaseNumber)).toEqual([1]);
  });

  it("never stores or echoes a site's case id, and refuses a bad sheet with row and column only", async () => {
    const items = (await documents.send(new ScanCommand({ TableName: commons.tableName }))).Items ?? [];
    const stored = JSON.stringify(items);
    for (const id of ['A-PT-1', 'A-PT-2', 'B-PT-1', 'R-PT-1']) expect({ id, stored: stored.includes(id) }).toEqual({ id, stored: false });
    expect(items.filter((i) => i.type === 'case')).toHaveLength(5);

    const { submissionId } = await siteA.createSubmission('covid-open', 'site-a');
    const response = await putCases(siteA, submissionId, 'case_id,sex,age_at_index\nSECRET-MRN-1,Female,abc\nSECRET-MRN-2,Femme,40\n');
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toContain('SECRET-MRN');
    expect(text).not.toContain('Femme');
    expect(JSON.parse(text).details).toEqual([
      { row: 2, column: 'age_at_index', message: 'must be a whole number of years from 0 to 120, or 90+' },
      { row: 3, column: 'sex', message: 'must be one of: Female, Male, Other, Unknown' },
    ]);
    // Another site's uploader cannot send cases for this submission.
    expect((await putCases(siteB, submissionId, 'case_id\nX\n')).status).toBe(404);
  });

  it('shows a researcher only open projects, and the restricted one with a grant; the sequestered one never', async () => {
    const plain = await search(researcher, {});
    expect(plain.total).toBe(5);
    expect(plain.facets.project).toEqual([{ value: 'covid-open', count: 5 }]);
    const withGrant = await search(granted, {});
    expect(withGrant.total).toBe(6);
    expect(withGrant.facets.project).toEqual([
      { value: 'covid-open', count: 5 },
      { value: 'covid-restricted', count: 1 },
    ]);
    const all = await search(curator, {});
    expect(all.total).toBe(7);

    // The same rule on the plain listing and on downloads.
    const restrictedUid = uidOfProject(all.studies, 'covid-restricted');
    expect((await researcher.listStudies()).studies.map((s) => s.project).sort()).toEqual(Array(5).fill('covid-open'));
    await expect(researcher.studyFiles(restrictedUid)).rejects.toMatchObject({ status: 404 });
    expect((await granted.studyFiles(restrictedUid)).files).toHaveLength(1);
    await expect(granted.studyFiles(uidOfProject(all.studies, 'covid-sequestered'))).rejects.toMatchObject({ status: 404 });
    // Filtering on a project one may not see finds nothing (and does not reveal it).
    expect((await search(researcher, { facets: { project: ['covid-restricted'] } })).total).toBe(0);
  });

  it("counts combined filters, each facet without its own filter, with case demographics over DICOM's", async () => {
    const result = await search(researcher, { facets: { modality: ['CT'], sex: ['Female'], covid19: ['Yes'] } });
    expect(result.total).toBe(3);
    expect(result.facets.modality).toEqual([{ value: 'CT', count: 3 }]);
    // Without the sex filter: CT + COVID-positive studies are all women's.
    expect(result.facets.sex).toEqual([{ value: 'Female', count: 3 }]);
    // Without the COVID filter: CT studies of women, all positive.
    expect(result.facets.covid19).toEqual([{ value: 'Yes', count: 3 }]);
    expect(result.facets.site).toEqual([
      { value: 'site-a', count: 2 },
      { value: 'site-b', count: 1 },
    ]);
    expect(result.facets.ageBand).toEqual([
      { value: '30-39', count: 1 },
      { value: '50-64', count: 2 },
    ]);
    expect(result.facets.race).toEqual([
      { value: 'Asian', count: 1 },
      { value: 'White', count: 1 },
      { value: 'unknown', count: 1 },
    ]);
    expect(result.facets.manufacturer).toEqual([
      { value: 'GE MEDICAL SYSTEMS', count: 2 },
      { value: 'SIEMENS', count: 1 },
    ]);
    expect(result.facets.sliceThickness).toEqual([{ value: '1-2.5mm', count: 3 }]);
    expect(result.facets.release).toEqual([{ value: '1', count: 3 }]);

    // A range narrows every count; OR within a facet widens.
    const aged = await search(researcher, { facets: { modality: ['CT'], sex: ['Female'], covid19: ['Yes'] }, age: { min: 50, max: 64 } });
    expect(aged.total).toBe(2);
    expect(aged.facets.site).toEqual([
      { value: 'site-a', count: 1 },
      { value: 'site-b', count: 1 },
    ]);
    const either = await search(researcher, { facets: { modality: ['DX', 'CR'] } });
    expect(either.total).toBe(2);
    // Age above 89 is counted as 89 (85+), from the case, not DICOM's 67; a study without a case keeps DICOM's.
    expect(either.facets.ageBand).toEqual([
      { value: '40-49', count: 1 },
      { value: '85+', count: 1 },
    ]);
    expect(either.facets.viewPosition).toEqual([{ value: 'PA', count: 2 }]);
    expect(either.facets.race).toEqual([
      { value: 'Black or African American', count: 1 },
      { value: 'unknown', count: 1 },
    ]);

    // GET with query parameters answers the same.
    const viaGet = await researcher.request<SearchAnswer>('GET', '/search?modality=CT&sex=Female&covid19=Yes&limit=10');
    expect({ total: viaGet.total, facets: viaGet.facets }).toEqual({ total: result.total, facets: result.facets });
  });

  it('pages through every visible study with a cursor, none twice', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await search(researcher, {}, 2, cursor);
      expect(page.studies.length).toBeLessThanOrEqual(2);
      seen.push(...page.studies.map((s) => s.studyUid));
      cursor = page.cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    await expect(researcher.request('POST', '/search', { cursor: 'not-a-cursor' })).rejects.toMatchObject({ status: 400 });
  });

  it("saves a cohort on release 1 and serves its manifest with the released objects' sizes and SHA-256s (JSON and CSV)", async () => {
    const cohort = await researcher.request<{ cohortId: string; releaseNumber: number; studyCount: number }>('POST', '/cohorts', {
      name: 'CT, COVID-positive women',
      filters: { facets: { modality: ['CT'], sex: ['Female'], covid19: ['Yes'] } },
    });
    expect(cohort).toMatchObject({ releaseNumber: 1, studyCount: 3 });
    cohortId = cohort.cohortId;
    const shown = await researcher.request<{ total: number; facets: Record<string, unknown> }>('GET', `/cohorts/${cohortId}`);
    expect(shown.total).toBe(3);
    expect(shown.facets.site).toEqual([
      { value: 'site-a', count: 2 },
      { value: 'site-b', count: 1 },
    ]);

    const manifest = await researcher.request<Manifest>('GET', `/cohorts/${cohortId}/manifest?format=json`);
    expect(manifest).toMatchObject({ release: 1, studyCount: 3, objectCount: 4 });
    let total = 0;
    for (const object of manifest.objects) {
      expect(object.objectId).toBe(`hilum:${object.sopUid}`);
      const bytes = await getBytes(commons.buckets.released, releasedKey(object.studyUid, object.seriesUid, object.sopUid));
      expect({ sopUid: object.sopUid, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({
        sopUid: object.sopUid,
        size: object.size,
        sha256: object.sha256,
      });
      total += bytes.byteLength;
    }
    expect(manifest.totalBytes).toBe(total);

    const csv = await fetch(`${commons.apiUrl}/cohorts/${cohortId}/manifest?format=csv`, {
      headers: { authorization: `Bearer ${await commons.issueToken(['researcher'], 'researcher-plain')}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('x-hilum-total-bytes')).toBe(String(total));
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('object_id,study_uid,series_uid,sop_uid,size,sha256');
    expect(lines.slice(1).sort()).toEqual(
      manifest.objects.map((o) => [o.objectId, o.studyUid, o.seriesUid, o.sopUid, o.size, o.sha256].join(',')).sort(),
    );

    // Someone else's cohort is not found.
    await expect(granted.request('GET', `/cohorts/${cohortId}`)).rejects.toBeInstanceOf(ApiError);
  });

  it('keeps the cohort pinned to its release when a matching study is published later', async () => {
    await publish(
      siteA,
      'site-a',
      'covid-open',
      [{ id: 'A-PT-4', modality: 'CT', sex: 'F', age: '045Y', manufacturer: 'SIEMENS', instances: 1 }],
      'case_id,sex,covid19_positive\nA-PT-4,Female,Yes\n',
    );
    const live = await search(researcher, { facets: { modality: ['CT'], sex: ['Female'], covid19: ['Yes'] } });
    expect(live.total).toBe(4);
    expect(live.facets.release).toEqual([{ value: '1', count: 3 }]); // the new study is in no release yet
    expect((await researcher.request<{ total: number }>('GET', `/cohorts/${cohortId}`)).total).toBe(3);
    expect((await researcher.request<Manifest>('GET', `/cohorts/${cohortId}/manifest`)).objectCount).toBe(4);
  });

  // The export is what Athena gives researchers: a sequestered project's studies are not in it (issue 20).
  it('exports release 1 as Parquet that DuckDB reads back (studies, series, instances), without the sequestered project', async () => {
    const dir = join(dataDir, 'parquet');
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    try {
      const files: Record<string, string> = {};
      for (const table of ['studies', 'series', 'instances']) {
        files[table] = join(dataDir, `${table}.parquet`);
        await writeFile(files[table]!, await getBytes(commons.buckets.released, `analytics/${table}/release=1/part-0.parquet`));
      }
      const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
      expect(await rows(`SELECT count(*) AS n, sum(instance_count) AS instances FROM '${files.studies}'`)).toEqual([
        { n: '6', instances: '7' },
      ]);
      expect(await rows(`SELECT project, count(*) AS n FROM '${files.studies}' GROUP BY project ORDER BY project`)).toEqual([
        { project: 'covid-open', n: '5' },
        { project: 'covid-restricted', n: '1' },
      ]);
      expect(
        await rows(
          `SELECT sex, age_at_index, age_capped, race, covid19_positive, first_release FROM '${files.studies}' WHERE modalities = 'DX'`,
        ),
      ).toEqual([
        { sex: 'Male', age_at_index: 89, age_capped: 1, race: 'Black or African American', covid19_positive: 'No', first_release: 1 },
      ]);
      expect(await rows(`SELECT count(*) AS n, count(DISTINCT manufacturer) AS makers FROM '${files.series}'`)).toEqual([
        { n: '6', makers: '3' },
      ]);

      const instances = await rows(`SELECT object_key, size, sha256, object_id, sop_uid FROM '${files.instances}'`);
      expect(instances).toHaveLength(7);
      for (const i of instances) {
        const bytes = await getBytes(commons.buckets.released, String(i.object_key));
        expect({ size: Number(i.size), sha256: i.sha256, id: i.object_id }).toEqual({
          size: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          id: `hilum:${String(i.sop_uid)}`,
        });
      }
    } finally {
      connection.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  });

  async function search(api: HilumApi, filters: object, limit = 50, cursor?: string): Promise<SearchAnswer> {
    return api.request<SearchAnswer>('POST', '/search', { ...filters, limit, ...(cursor ? { cursor } : {}) });
  }

  async function getBytes(bucket: string, key: string): Promise<Uint8Array> {
    const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return result.Body!.transformToByteArray();
  }
});

interface SearchAnswer {
  total: number;
  facets: Record<string, { value: string; count: number }[]>;
  studies: { studyUid: string; project: string }[];
  cursor?: string;
}

interface Manifest {
  release: number;
  studyCount: number;
  objectCount: number;
  totalBytes: number;
  objects: { objectId: string; studyUid: string; seriesUid: string; sopUid: string; size: number; sha256: string }[];
}

function uidOfProject(studies: readonly { studyUid: string; project: string }[], project: string): string {
  const found = studies.find((s) => s.project === project);
  if (!found) throw new Error(`no study of ${project}`);
  return found.studyUid;
}
