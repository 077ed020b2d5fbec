/**
 * Clinical data per node through the local commons (issue 19): a site sends its sheets (CSV,
 * TSV, JSON through the API; a folder through `hilum upload --clinical`'s library, dates turned
 * into days at the site), a sheet with several kinds of errors is refused with every error and
 * changes nothing stored, ages over 89 are capped, the records reach the search facets and the
 * QA rule, and a cohort's clinical tables (CSV, Parquet, JSON) hold only its cases the caller
 * may see.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DuckDBInstance } from '@duckdb/node-api';
import { ApiError, HilumApi } from '../../cli/lib/api-client';
import { prepareClinicalDir, shiftPreparedSheets } from '../../cli/lib/clinical-dir';
import { siteDeidSecret } from '../../cli/lib/deid-secret';
import { DEFAULT_PROFILE } from '../../layers/dicom';
import type { QaReport } from '../../layers/qa';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { FUNCTIONS } from '../../functions/registry';
import { referencesOf } from '../../layers/catalog/fhir/resources';
import { fhirSchemaErrors } from '../support/fhir-schema';
import { loaderWrapping } from '../support/handler-loaders';
import { localS3Client } from '../support/local-clients';
import { readDicomFile } from '../../layers/dicom/dcmjs';
import { makeSeries, SYNTHETIC_PHI } from '../support/synthetic-dicom';

jest.setTimeout(240_000);

const OPEN = 'clin-open';
const SHIFTED = 'clin-shifted';
const RESTRICTED = 'clin-restricted';
const SITE = 'site-clin';
const ROOT = '1.2.826.0.1.3680043.8.498.1919';

/** While set, the FHIR export task fails building any job (a crash, as Step Functions sees a thrown error), not recording a failure. */
let failFhirExports = false;

/** The local commons' loader, with the FHIR export task made to fail on demand. */
const loadHandler = loaderWrapping(FUNCTIONS.fhirExport.id, (handler) => (event, context) => {
  if (failFhirExports && !(event && typeof event === 'object' && 'errorName' in event))
    throw Object.assign(new Error('injected'), { name: 'InjectedFault' });
  return handler(event, context);
});

describe('clinical data per node on the local commons', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let token: string;
  let site: HilumApi;
  let curator: HilumApi;
  let researcher: HilumApi;
  let submissionId: string;

  beforeAll(async () => {
    process.env.SEARCH_SNAPSHOT_TTL_MS = '0';
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-clinical-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
      loadHandler,
    });
    curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-clin'));
    researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-clin'));
    await curator.request('POST', '/projects', { projectId: OPEN, name: 'clinical open', availability: 'open', sites: [SITE] });
    await curator.request('POST', '/projects', {
      projectId: RESTRICTED,
      name: 'clinical restricted',
      availability: 'restricted',
      sites: [SITE],
    });
    token = await commons.issueToken([`site-uploader:${SITE}`], 'uploader-clin');
    site = new HilumApi(commons.apiUrl, token);
    ({ submissionId } = await site.createSubmission(OPEN, SITE));
  });

  afterAll(async () => {
    delete process.env.SEARCH_SNAPSHOT_TTL_MS;
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const put = (id: string, node: string, body: string, contentType: string) =>
    fetch(`${commons.apiUrl}/submissions/${id}/clinical/${node}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });

  async function uploadStudies(id: string, patients: readonly string[]): Promise<void> {
    const files = patients.flatMap((patientId, p) =>
      makeSeries(1, {
        modality: 'CT',
        rows: 16,
        columns: 16,
        studyInstanceUid: `${ROOT}.${id.slice(0, 4).replace(/\D/g, '1')}${p}.${patientId.length}`,
        seriesInstanceUid: `${ROOT}.${id.slice(0, 4).replace(/\D/g, '1')}${p}.${patientId.length}.1`,
        patient: { id: patientId },
      }).map((bytes, i) => ({ name: `${patientId}-${i}.dcm`, bytes })),
    );
    const { uploads } = await site.requestUploads(
      id,
      files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
    );
    for (const u of uploads)
      expect((await fetch(u.url!, { method: 'PUT', body: files.find((f) => f.name === u.name)!.bytes })).status).toBe(200);
  }

  it('accepts valid sheets of each format, converts dates at the site and caps ages over 89', async () => {
    // The site's folder: case.csv with the index dates, measurement.csv with dates; converted here, sent as days.
    const folder = join(dataDir, 'clinical');
    await rm(folder, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(folder));
    await writeFile(
      join(folder, 'case.csv'),
      'case_id,index_event,index_date\nMRN-A,COVID-19 test,2021-03-01\nMRN-B,Imaging study,2021-06-10\n',
    );
    await writeFile(
      join(folder, 'measurement.csv'),
      'case_id,test_name,test_result_text,test_date\nMRN-A,SARS-CoV-2 RT-PCR,Positive,2021-03-03\nMRN-B,SARS-CoV-2 RT-PCR,Negative,2021-06-01\n',
    );
    const sheets = await prepareClinicalDir(folder);
    expect(sheets.map((s) => s.node)).toEqual(['case', 'measurement']);
    expect(JSON.stringify(sheets)).not.toMatch(/2021-/);
    for (const s of sheets) await site.putClinicalSheet(submissionId, s.node, s.body, s.file);

    const demographics = await put(
      submissionId,
      'demographics',
      'case_id\tage_at_index\tsex\nMRN-A\t93\tfemale\nMRN-B\t41\tMale\n',
      'text/tab-separated-values',
    );
    expect(demographics.status).toBe(200);
    expect(await demographics.json()).toMatchObject({ node: 'demographics', records: 2, cases: 2, agesCapped: 1 });
    const condition = await put(
      submissionId,
      'condition',
      JSON.stringify([
        { case_id: 'MRN-A', condition_code: 'U071', days_to_condition_start: 0 },
        { case_id: 'MRN-B', condition_code: 'I10', days_to_condition_start: -800 },
      ]),
      'application/json',
    );
    expect(condition.status).toBe(200);
  });

  it('refuses a sheet with several kinds of errors, listing every one, and changes nothing stored', async () => {
    const bad = await put(
      submissionId,
      'measurement',
      [
        'case_id,test_name,test_result_text,days_to_test,test_date',
        'MRN-A,SARS-CoV-2 RT-PCR,Maybe,1,',
        'MRN-B,,Negative,,2021-13-01',
        'MRN-A,D-dimer,,forty,',
      ].join('\n'),
      'text/csv',
    );
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as {
      message: string;
      details: { file: string; row: number; column: string; code: string; message: string }[];
    };
    expect(body.message).toMatch(/^measurement\.csv has 4 error\(s\), nothing was stored/);
    expect(body.details.map(({ file, row, column, code }) => ({ file, row, column, code }))).toEqual([
      { file: 'measurement.csv', row: 2, column: 'test_result_text', code: 'not_in_enum' },
      { file: 'measurement.csv', row: 3, column: 'test_name', code: 'required' },
      { file: 'measurement.csv', row: 3, column: 'test_date', code: 'bad_date' },
      { file: 'measurement.csv', row: 4, column: 'days_to_test', code: 'not_an_integer' },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/MRN|Maybe|forty/);

    const unknownCase = await put(
      submissionId,
      'measurement',
      'case_id,test_name,days_to_test\nMRN-A,D-dimer,1\nMRN-Z,D-dimer,2\n',
      'text/csv',
    );
    expect(unknownCase.status).toBe(400);
    expect(((await unknownCase.json()) as { details: unknown[] }).details).toEqual([
      expect.objectContaining({ row: 3, column: 'case_id', code: 'unknown_case' }),
    ]);
    await expect(
      site.request('PUT', `/submissions/${submissionId}/clinical/no_such_node?format=csv`, 'case_id\nA\n', 'text/csv'),
    ).rejects.toMatchObject({
      status: 400,
    });
  });

  it("takes a project's dictionary extension, refusing an invalid one with every problem", async () => {
    const project = { projectId: OPEN, name: 'clinical open', availability: 'open' };
    const invalid = curator.request('POST', '/projects', {
      ...project,
      clinicalDictionary: { properties: [{ node: 'labs', property: { name: 'birth_date', type: 'days', description: 'x' } }] },
    });
    await expect(invalid).rejects.toMatchObject({ status: 400 });
    const smoking = {
      node: 'smoking',
      version: '0.1.0',
      description: 'Tobacco use.',
      key: [],
      properties: [
        { name: 'case_id', type: 'string', required: true, description: 'The case.' },
        { name: 'pack_years', type: 'number', minimum: 0, description: 'Pack-years.' },
      ],
    };
    await curator.request('POST', '/projects', { ...project, clinicalDictionary: { nodes: [smoking] } });
    expect((await put(submissionId, 'smoking', 'case_id,pack_years\nMRN-B,12.5\n', 'text/csv')).status).toBe(200);
    expect((await put(submissionId, 'smoking', 'case_id,pack_years\nMRN-B,-3\n', 'text/csv')).status).toBe(400);
  });

  it('publishes with the submission.cases rule passing, and the records reach the search facets', async () => {
    await uploadStudies(submissionId, ['MRN-A', 'MRN-B']);
    await site.completeSubmission(submissionId);
    // The restricted project: one more case, whose records the researcher may not see.
    const restricted = await site.createSubmission(RESTRICTED, SITE);
    expect((await put(restricted.submissionId, 'case', 'case_id,covid19_positive\nMRN-C,Yes\n', 'text/csv')).status).toBe(200);
    expect(
      (await put(restricted.submissionId, 'measurement', 'case_id,test_name,days_to_test\nMRN-C,Ferritin,3\n', 'text/csv')).status,
    ).toBe(200);
    // The older cases.csv: its demographics reach the demographics table too, not only search.
    const casesCsv = await fetch(`${commons.apiUrl}/submissions/${restricted.submissionId}/cases`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: 'case_id,sex,age_at_index\nMRN-C,Male,95\n',
    });
    expect(casesCsv.status).toBe(200);
    await uploadStudies(restricted.submissionId, ['MRN-C']);
    await site.completeSubmission(restricted.submissionId);
    await commons.idle();
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published' });

    const report = await site.request<QaReport>('GET', `/submissions/${submissionId}/report`);
    expect(report.warnings.filter((w) => w.ruleId === 'submission.cases')).toEqual([]);

    const search = (facets: Record<string, string[]>) => curator.request<{ total: number }>('POST', '/search', { facets, limit: 0 });
    expect((await search({ condition: ['U07'] })).total).toBe(1);
    expect((await search({ condition: ['I10'], covid19: ['No'] })).total).toBe(1);
    expect((await search({ covid19: ['Yes'], ageBand: ['85+'] })).total).toBe(1);
  });

  it("serves a cohort's clinical tables with only its cases the caller may see (CSV, Parquet, JSON)", async () => {
    await curator.request('POST', '/releases', { notes: 'clinical' });
    const { cohortId } = await researcher.request<{ cohortId: string }>('POST', '/cohorts', { name: 'all', filters: {} });
    const manifest = await researcher.request<{ clinicalTables: { node: string; csv: string }[] }>('GET', `/cohorts/${cohortId}/manifest`);
    expect(manifest.clinicalTables).toContainEqual({
      node: 'measurement',
      csv: `/cohorts/${cohortId}/clinical/measurement?format=csv`,
      parquet: `/cohorts/${cohortId}/clinical/measurement?format=parquet`,
    });

    const csv = await researcher.request<string>('GET', `/cohorts/${cohortId}/clinical/measurement?format=csv`);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('case_id,project,site,test_name,test_loinc,test_result_text,test_result_value,test_units,days_to_test');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',').slice(1).join(','))
        .sort(),
    ).toEqual([`${OPEN},${SITE},SARS-CoV-2 RT-PCR,,Negative,,,-9`, `${OPEN},${SITE},SARS-CoV-2 RT-PCR,,Positive,,,2`]);
    expect(csv).not.toMatch(/MRN|2021-/);

    const demographics = await researcher.request<{ records: Record<string, unknown>[] }>(
      'GET',
      `/cohorts/${cohortId}/clinical/demographics?format=json`,
    );
    expect(demographics.records.map((r) => r.age_at_index).sort()).toEqual([41, '90+']);

    // The curator's cohort sees the restricted project's case too.
    const curatorCohort = await curator.request<{ cohortId: string }>('POST', '/cohorts', { name: 'all, curator', filters: {} });
    const everything = await curator.request<{ records: { project: string }[] }>(
      'GET',
      `/cohorts/${curatorCohort.cohortId}/clinical/measurement?format=json`,
    );
    expect(everything.records.map((r) => r.project).sort()).toEqual([OPEN, OPEN, RESTRICTED]);
    // A project's added node has its cohort table (the open project's smoking, sent in the extension test above).
    const smoking = await researcher.request<{ records: { project: string; pack_years?: number }[] }>(
      'GET',
      `/cohorts/${cohortId}/clinical/smoking?format=json`,
    );
    expect(smoking.records).toEqual([expect.objectContaining({ project: OPEN, pack_years: 12.5 })]);
    const smokingCsv = await researcher.request<string>('GET', `/cohorts/${cohortId}/clinical/smoking?format=csv`);
    expect(smokingCsv.split('\n')[0]).toBe('case_id,project,site,pack_years');
    const demographicsOfAll = await curator.request<{ records: { project: string }[] }>(
      'GET',
      `/cohorts/${curatorCohort.cohortId}/clinical/demographics?format=json`,
    );
    expect(demographicsOfAll.records.filter((r) => r.project === RESTRICTED)).toEqual([
      expect.objectContaining({ sex: 'Male', age_at_index: '90+' }),
    ]);

    const parquet = await fetch(`${commons.apiUrl}/cohorts/${cohortId}/clinical/condition?format=parquet`, {
      headers: { authorization: `Bearer ${await commons.issueToken(['researcher'], 'researcher-clin')}` },
    });
    expect(parquet.status).toBe(200);
    const file = join(dataDir, 'condition.parquet');
    await writeFile(file, Buffer.from(await parquet.arrayBuffer()));
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    const rows = (
      await connection.runAndReadAll(`SELECT condition_code, days_to_condition_start FROM read_parquet('${file}') ORDER BY 1`)
    ).getRowObjectsJson();
    // The release's Athena export has the clinical tables next to the imaging ones: every released case's records.
    const s3 = localS3Client(commons);
    const exported = await s3.send(
      new GetObjectCommand({ Bucket: commons.buckets.released, Key: 'analytics/clinical_measurement/release=1/part-0.parquet' }),
    );
    const exportFile = join(dataDir, 'export-measurement.parquet');
    await writeFile(exportFile, await exported.Body!.transformToByteArray());
    const exportedRows = (
      await connection.runAndReadAll(`SELECT project, test_name, days_to_test FROM read_parquet('${exportFile}') ORDER BY days_to_test`)
    ).getRowObjectsJson();
    expect(exportedRows).toEqual([
      { project: OPEN, test_name: 'SARS-CoV-2 RT-PCR', days_to_test: -9 },
      { project: OPEN, test_name: 'SARS-CoV-2 RT-PCR', days_to_test: 2 },
      { project: RESTRICTED, test_name: 'Ferritin', days_to_test: 3 },
    ]);
    // The open project's smoking node (its dictionary extension) in the long-format extension table.
    const extension = await s3.send(
      new GetObjectCommand({ Bucket: commons.buckets.released, Key: 'analytics/clinical_extension/release=1/part-0.parquet' }),
    );
    const extensionFile = join(dataDir, 'export-extension.parquet');
    await writeFile(extensionFile, await extension.Body!.transformToByteArray());
    s3.destroy();
    expect(
      (
        await connection.runAndReadAll(`SELECT project, node, property, value_type, value FROM read_parquet('${extensionFile}')`)
      ).getRowObjectsJson(),
    ).toEqual([{ project: OPEN, node: 'smoking', property: 'pack_years', value_type: 'number', value: '12.5' }]);
    connection.closeSync();
    expect(rows).toEqual([
      { condition_code: 'I10', days_to_condition_start: -800 },
      { condition_code: 'U07.1', days_to_condition_start: 0 },
    ]);
    await expect(site.request('GET', `/cohorts/${cohortId}/clinical/condition`)).rejects.toBeInstanceOf(ApiError);
  });

  it('exports a cohort as FHIR R4 Bulk Data: kick-off, status, NDJSON that validates and resolves, only what the caller may see', async () => {
    const { cohortId } = await researcher.request<{ cohortId: string }>('POST', '/cohorts', { name: 'fhir', filters: {} });
    const researcherToken = await commons.issueToken(['researcher'], 'researcher-clin');
    const call = (method: string, path: string, bearer: string, headers: Record<string, string> = {}) =>
      fetch(path.startsWith('http') ? path : `${commons.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...headers },
      });
    const ASYNC = { prefer: 'respond-async', accept: 'application/fhir+json' };

    // The IG's kick-off needs Prefer: respond-async; a release-wide export is the curators'.
    expect((await call('GET', `/fhir/Group/${cohortId}/$export`, researcherToken)).status).toBe(400);
    expect((await call('GET', '/fhir/$export', researcherToken, ASYNC)).status).toBe(403);
    const kickOff = await call('GET', `/fhir/Group/${cohortId}/$export?_outputFormat=application/fhir%2Bndjson`, researcherToken, ASYNC);
    expect(kickOff.status).toBe(202);
    const statusUrl = kickOff.headers.get('content-location')!;
    expect(statusUrl).toMatch(/\/fhir\/export-jobs\/[0-9a-f-]{36}$/);

    const complete = async (url: string, bearer: string) => {
      for (;;) {
        const status = await call('GET', url, bearer);
        if (status.status !== 202) return status;
        expect(status.headers.get('x-progress')).toBeTruthy();
        await commons.idle();
      }
    };
    const done = await complete(statusUrl, researcherToken);
    expect(done.status).toBe(200);
    const manifest = (await done.json()) as {
      transactionTime: string;
      request: string;
      requiresAccessToken: boolean;
      output: { type: string; url: string; count: number }[];
      error: unknown[];
    };
    expect(manifest).toMatchObject({ requiresAccessToken: false, error: [] });
    expect(manifest.request).toContain(`/fhir/Group/${cohortId}/$export`);
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient', 'ImagingStudy', 'Endpoint', 'Observation', 'Condition']);
    // Someone else's job is not found.
    expect((await call('GET', statusUrl, await commons.issueToken(['researcher'], 'someone-else'))).status).toBe(404);

    const resources: { resourceType: string; id: string; [k: string]: unknown }[] = [];
    for (const o of manifest.output) {
      const file = await fetch(o.url);
      expect(file.status).toBe(200);
      const lines = (await file.text()).split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(o.count);
      for (const line of lines) resources.push(JSON.parse(line) as (typeof resources)[number]);
    }
    expect(resources.flatMap(fhirSchemaErrors)).toEqual([]);
    const ids = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
    expect(resources.flatMap(referencesOf).filter((ref) => !ids.has(ref))).toEqual([]);
    // The open project's two cases only: the restricted case (its study, its Ferritin) never leaves.
    const patients = resources.filter((r) => r.resourceType === 'Patient');
    expect(patients).toHaveLength(2);
    expect(patients.every((p) => /^HILUM-[0-9A-F]{16}$/.test(p.id))).toBe(true);
    const text = JSON.stringify(resources);
    expect(text).not.toMatch(/MRN-|2021-|Ferritin|clin-restricted/);
    expect(resources.filter((r) => r.resourceType === 'ImagingStudy')).toHaveLength(2);
    const endpoints = resources.filter((r) => r.resourceType === 'Endpoint');
    expect(endpoints.every((e) => String(e.address).startsWith(`${commons.apiUrl}/dicomweb/studies/`))).toBe(true);
    // The open project's own node (smoking, from its dictionary extension) is an Observation with its property typed.
    const smoking = resources.filter((r) => JSON.stringify(r.code ?? '').includes('clinical-node'));
    expect(smoking.map((r) => r.component)).toEqual([
      [{ code: expect.objectContaining({ text: 'pack_years' }) as unknown, valueQuantity: { value: 12.5 } }],
    ]);

    // A curator's release export holds the restricted project's case too; DELETE removes the job and its files.
    const curatorToken = await commons.issueToken(['curator'], 'curator-clin');
    const releaseKickOff = await call('GET', '/fhir/$export?_type=Patient,Observation', curatorToken, ASYNC);
    expect(releaseKickOff.status).toBe(202);
    const releaseStatus = releaseKickOff.headers.get('content-location')!;
    const releaseManifest = (await (await complete(releaseStatus, curatorToken)).json()) as typeof manifest;
    expect(releaseManifest.output.map((o) => [o.type, o.count])).toEqual([
      ['Patient', 3],
      ['Observation', 4],
    ]);
    // _since: a FHIR instant, else the IG's 400 with an OperationOutcome; nothing changed since the last export's transactionTime.
    const badSince = await call('GET', '/fhir/$export?_since=2026-12-01', curatorToken, ASYNC);
    expect(badSince.status).toBe(400);
    expect(await badSince.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] });
    const sinceKickOff = await call(
      'GET',
      `/fhir/$export?_since=${encodeURIComponent(releaseManifest.transactionTime)}`,
      curatorToken,
      ASYNC,
    );
    expect(sinceKickOff.status).toBe(202);
    const sinceManifest = (await (await complete(sinceKickOff.headers.get('content-location')!, curatorToken)).json()) as typeof manifest;
    expect(sinceManifest.output).toEqual([]);

    // An export whose task fails for good: its status answers the IG's error as soon as the workflow caught it, not after the hour.
    failFhirExports = true;
    const failing = await call('GET', '/fhir/$export?_type=Patient', curatorToken, ASYNC);
    expect(failing.status).toBe(202);
    const failed = await complete(failing.headers.get('content-location')!, curatorToken);
    failFhirExports = false;
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toContain('application/fhir+json');
    expect(await failed.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'exception', diagnostics: 'the export task failed; start a new one' }],
    });
    expect((await call('DELETE', releaseStatus, curatorToken)).status).toBe(202);
    expect((await call('GET', releaseStatus, curatorToken)).status).toBe(404);
    expect((await fetch(releaseManifest.output[0]!.url)).status).toBe(404);
  });
  it("keeps a shifted-dates project's clinical dates shifted exactly as its patient's images, and stores no original date", async () => {
    const project = { projectId: SHIFTED, name: 'clinical shifted', availability: 'open', sites: [SITE] };
    await expect(curator.request('POST', '/projects', { ...project, settings: { clinicalDates: 'dates' } })).rejects.toMatchObject({
      status: 400,
    });
    await curator.request('POST', '/projects', { ...project, settings: { clinicalDates: 'shifted' } });
    const { submissionId: id } = await site.createSubmission(SHIFTED, SITE);
    const da = SYNTHETIC_PHI.studyDate; // the synthetic studies' StudyDate
    const studyDate = `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}`;
    expect((await put(id, 'case', 'case_id,index_event,index_date\nMRN-S,Imaging study,2024-03-12\n', 'text/csv')).status).toBe(200);
    expect((await put(id, 'demographics', 'case_id,age_at_index\nMRN-S,61\n', 'text/csv')).status).toBe(200);
    const imaging = `case_id,study_modality,study_date,age_at_imaging\nMRN-S,CT,${studyDate},61\n`;
    expect((await put(id, 'imaging_study', imaging, 'text/csv')).status).toBe(200);
    // Days are not this project's timeline; dates=shifted is only for a submission de-identified at the site.
    expect((await put(id, 'measurement', 'case_id,test_name,days_to_test\nMRN-S,D-dimer,1\n', 'text/csv')).status).toBe(400);
    const claimed = await fetch(`${commons.apiUrl}/submissions/${id}/clinical/measurement?dates=shifted`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: 'case_id,test_name,test_date\nMRN-S,D-dimer,2024-03-13\n',
    });
    expect(claimed.status).toBe(400);
    // A submission de-identified at the site: hilum upload's library shifts the dates there, with the key the
    // commons gives the site, and says so; a clear date to such a submission is refused.
    const atSite = await site.createSubmission(SHIFTED, SITE, { deidentifiedAtSite: true });
    expect((await put(atSite.submissionId, 'case', 'case_id,index_date\nMRN-T,2024-02-20\n', 'text/csv')).status).toBe(400);
    const folder = join(dataDir, 'clinical-shifted');
    await import('node:fs/promises').then((fs) => fs.mkdir(folder));
    await writeFile(join(folder, 'case.csv'), 'case_id,index_event,index_date\nMRN-T,Other,2024-02-20\n');
    const { secret } = await siteDeidSecret(site, SHIFTED, undefined, {});
    const [sentCase] = shiftPreparedSheets(
      await prepareClinicalDir(folder, 'shifted'),
      { secret, project: SHIFTED, site: SITE },
      DEFAULT_PROFILE,
    );
    expect(sentCase).toMatchObject({ node: 'case', datesShifted: true });
    await site.putClinicalSheet(atSite.submissionId, sentCase!.node, sentCase!.body, sentCase!.file, true);
    await uploadStudies(id, ['MRN-S']);
    await site.completeSubmission(id);
    await commons.idle();
    expect(await site.getSubmission(id)).toMatchObject({ status: 'published' });
    const report = await site.request<QaReport>('GET', `/submissions/${id}/report`);
    expect(report.warnings.filter((w) => w.ruleId === 'submission.cases')).toEqual([]);
    // Mixing timelines in one project is refused once it has cases.
    await expect(curator.request('POST', '/projects', { ...project, settings: {} })).rejects.toMatchObject({ status: 409 });

    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: commons.dynamodbEndpoint, region: 'us-east-1', credentials: commons.credentials }),
    );
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({ TableName: commons.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    documents.destroy();
    // No original date anywhere in the catalog, in either spelling.
    const stored = JSON.stringify(items);
    for (const original of ['2024-03-12', studyDate, '20240312', da, '2024-02-20'])
      expect({ original, found: stored.includes(original) }).toEqual({ original, found: false });
    const record = items.find((i) => i.project === SHIFTED && i.node === 'imaging_study') as
      { casePseudonym: string; values: { study_date: string } } | undefined;
    expect(record?.values.study_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The site's shifted date is stored as it came (not shifted twice).
    const sentIndex = (sentCase!.body[0] as { index_date: string }).index_date;
    expect(
      items.filter((i) => i.project === SHIFTED && i.node === 'case').map((i) => (i.values as { index_date?: string }).index_date),
    ).toContain(sentIndex);

    // The released image of the same patient: its StudyDate is the record's date, shifted alike.
    const s3 = localS3Client(commons);
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: commons.buckets.released, Prefix: 'studies/' }))).Contents ?? []).map(
      (o) => o.Key!,
    );
    const studyDates: string[] = [];
    for (const key of keys) {
      const object = await s3.send(new GetObjectCommand({ Bucket: commons.buckets.released, Key: key }));
      const { dict } = readDicomFile(await object.Body!.transformToByteArray());
      if (dict['00100020']?.Value?.[0] === record!.casePseudonym) studyDates.push(String(dict['00080020']!.Value![0]));
    }
    s3.destroy();
    expect(studyDates).toHaveLength(1);
    expect(studyDates[0]).not.toBe(da);
    expect(record!.values.study_date).toBe(`${studyDates[0]!.slice(0, 4)}-${studyDates[0]!.slice(4, 6)}-${studyDates[0]!.slice(6, 8)}`);
  });
});
