/**
 * Model evaluation on sequestered data end to end on the local commons (docs/evaluation.md).
 * A project sequesters all of its cases (settings.sequestrationShare 1): ten CT studies (the
 * minimum subgroup size), one case each, every image of one constant value, with a known
 * COVID-19 answer. An evaluator submits a tiny ONNX model written by test/support/onnx-model.ts (the score is the mean of the
 * model's input, so here the windowed value of the case's image), uploads it, runs it; the
 * evaluation workflow scores every case with onnxruntime-node through the Map. The AUC returned
 * equals the AUC of the images' values against the labels, counted pair by pair here. The
 * evaluator reaches no other route (403 on each), another evaluator's evaluation is 404, the
 * report holds no case's score, and the quota (3 on this project) refuses a fourth evaluation (429).
 * The project defines its own label (a pneumonia diagnosis in its condition records): a task on it
 * gets the AUC of the values against that label. Its minimum subgroup size (5) shows both sexes.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ApiError, HilumApi } from '../../cli/lib/api-client';
import { ROUTE_POLICIES } from '../../layers/access/matrix';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { submitFiles } from '../support/projects';
import { meanModel } from '../support/onnx-model';
import { makeDicom } from '../support/synthetic-dicom';

jest.setTimeout(180_000);

const ROOT = '1.2.826.0.1.3680043.8.498.2077';
const PROJECT = 'eval-s';
const SIZE = 8;
const WINDOW = { center: 2048, width: 4096 };
/** Each case's constant pixel value and COVID-19 answer: positives tend to be brighter, with overlaps. */
const CASES: readonly { value: number; positive: boolean; pneumonia: boolean }[] = [
  { value: 3000, positive: true, pneumonia: true },
  { value: 2600, positive: true, pneumonia: false },
  { value: 2200, positive: true, pneumonia: true },
  { value: 1900, positive: true, pneumonia: false },
  { value: 900, positive: true, pneumonia: false },
  { value: 2400, positive: false, pneumonia: true },
  { value: 1700, positive: false, pneumonia: false },
  { value: 1200, positive: false, pneumonia: true },
  { value: 700, positive: false, pneumonia: false },
  { value: 300, positive: false, pneumonia: false },
];
/** The project's own label: a pneumonia diagnosis (ICD-10-CM J18) in the case's condition records, absent meaning none. */
const PNEUMONIA_LABEL = { name: 'pneumonia', node: 'condition', property: 'condition_code', positive: ['J18'], absent: 'negative' };

/** The AUC of the values against the labels, by its definition: the share of (positive, negative) pairs the positive wins, ties one half. */
function aucByPairs(cases: readonly { readonly value: number; readonly positive: boolean }[]): number {
  const positives = cases.filter((c) => c.positive);
  const negatives = cases.filter((c) => !c.positive);
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p.value > n.value ? 1 : p.value === n.value ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

function constantImage(value: number): ArrayBuffer {
  const pixels = new Uint16Array(SIZE * SIZE).fill(value);
  return pixels.buffer;
}

describe('model evaluation on sequestered cases', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let s3: S3Client;
  let evaluator: HilumApi;
  let otherEvaluator: HilumApi;
  let evaluatorToken: string;
  const model = meanModel(SIZE, SIZE);
  const spec = {
    project: PROJECT,
    model: { bytes: model.byteLength, sha256: createHash('sha256').update(model).digest('hex') },
    input: { width: SIZE, height: SIZE },
    preprocessing: { kind: 'window', ...WINDOW },
    series: { modality: 'CT', instance: 'middle' },
    task: { label: 'covid19', positive: 'Yes' },
    operatingPoints: [0.5],
  };
  let evaluationId: string;
  let report: Record<string, unknown> & { auc: { auc: number }; cases: number; positives: number; minimumSubgroupSize: number };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-eval-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    s3 = new S3Client({ endpoint: commons.s3Endpoint, region: 'us-east-1', credentials: commons.credentials, forcePathStyle: true });
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-e'));
    const siteToken = await commons.issueToken(['site-uploader:site-a'], 'uploader-e');
    const site = new HilumApi(commons.apiUrl, siteToken);
    evaluatorToken = await commons.issueToken(['evaluator'], 'evaluator-e');
    evaluator = new HilumApi(commons.apiUrl, evaluatorToken);
    otherEvaluator = new HilumApi(commons.apiUrl, await commons.issueToken(['evaluator'], 'evaluator-f'));

    await curator.request('POST', '/projects', {
      projectId: PROJECT,
      name: PROJECT,
      availability: 'open',
      sites: ['site-a'],
      settings: { sequestrationShare: 1, evaluationQuota: 3, evaluationMinimumSubgroupSize: 5 },
      caseLabel: PNEUMONIA_LABEL,
    });
    const files = CASES.map((c, i) => ({
      name: `case-${i + 1}.dcm`,
      bytes: makeDicom({
        modality: 'CT',
        rows: SIZE,
        columns: SIZE,
        studyInstanceUid: `${ROOT}.${i + 1}`,
        seriesInstanceUid: `${ROOT}.${i + 1}.1`,
        sopInstanceUid: `${ROOT}.${i + 1}.1.1`,
        patient: { id: `MRN-E${i + 1}` },
        privateBlock: false,
        elements: { '7FE00010': { vr: 'OW', Value: [constantImage(c.value)] } },
      }),
    }));
    const casesCsv = [
      'case_id,sex,age_at_index,race,covid19_positive',
      ...CASES.map((c, i) => `MRN-E${i + 1},${i % 2 ? 'Female' : 'Male'},${40 + i},White,${c.positive ? 'Yes' : 'No'}`),
    ].join('\n');
    const submissionId = await submitFiles(site, PROJECT, 'site-a', Object.fromEntries(files.map((f) => [f.name, f.bytes])), async (id) => {
      const put = await fetch(`${commons.apiUrl}/submissions/${id}/cases`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${siteToken}`, 'content-type': 'text/csv' },
        body: casesCsv,
      });
      expect(put.status).toBe(200);
      const conditions = await fetch(`${commons.apiUrl}/submissions/${id}/clinical/condition`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${siteToken}`, 'content-type': 'text/csv' },
        body: ['case_id,condition_code', ...CASES.map((c, i) => `MRN-E${i + 1},${c.pneumonia ? 'J18.9' : 'I10'}`)].join('\n'),
      });
      expect(conditions.status).toBe(200);
    });
    await commons.idle();
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: files.length });
    await curator.request('POST', '/releases', { notes: 'evaluation test' });
  });

  afterAll(async () => {
    await commons?.stop();
    s3?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("runs the uploaded model on every sequestered case and returns the AUC of the images' values", async () => {
    const created = await evaluator.request<{ evaluationId: string; upload: { method: string; url: string } }>(
      'POST',
      '/evaluations',
      spec,
    );
    evaluationId = created.evaluationId;
    expect((await fetch(created.upload.url, { method: 'PUT', body: model })).status).toBe(200);
    expect(await evaluator.request('POST', `/evaluations/${evaluationId}/run`)).toMatchObject({ status: 'running' });
    await commons.idle();
    const answer = await evaluator.request<{ status: string; report: typeof report; failure?: string }>(
      'GET',
      `/evaluations/${evaluationId}`,
    );
    expect(answer.failure).toBeUndefined();
    expect(answer.status).toBe('succeeded');
    report = answer.report;
    expect(report.cases).toBe(CASES.length);
    // The window is monotonic and never clips these values, so the scores rank the cases as their values do.
    expect(report.auc.auc).toBeCloseTo(aucByPairs(CASES), 12);
    // By hand: 3000 and 2600 beat all five negatives, 2200 and 1900 four, 900 two: 20 of 25 pairs.
    expect(report.auc.auc).toBeCloseTo(20 / 25, 12);
    // The project's minimum subgroup size (5) shows the five women and five men the default (10) would hide.
    const sex = (report as unknown as { subgroups: { attribute: string; shown: { value: string; cases: number }[] }[] }).subgroups.find(
      (table) => table.attribute === 'sex',
    );
    expect(sex?.shown.map((group) => [group.value, group.cases])).toEqual([
      ['Female', 5],
      ['Male', 5],
    ]);
    expect(report.minimumSubgroupSize).toBe(5);
  });

  it('keeps every per-case score inside: stored privately, absent from the report', async () => {
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: commons.buckets.released, Prefix: `evaluations/${evaluationId}/scores/` }),
    );
    expect(listed.KeyCount).toBe(CASES.length);
    const text = JSON.stringify(report);
    for (const item of listed.Contents ?? []) {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: commons.buckets.released, Key: item.Key! }))
      ).Body!.transformToString();
      const { score } = JSON.parse(body) as { score: number };
      expect({ score, inReport: text.includes(String(score)) }).toEqual({ score, inReport: false });
    }
  });

  it("answers another evaluator's evaluation as absent, and every route but the evaluator's own with 403", async () => {
    await expect(otherEvaluator.request('GET', `/evaluations/${evaluationId}`)).rejects.toMatchObject({ status: 404 });
    await expect(otherEvaluator.request('POST', `/evaluations/${evaluationId}/run`)).rejects.toMatchObject({ status: 404 });
    // Every route the evaluator's role does not name, asked at once (placeholders for path parameters).
    const statuses = await Promise.all(
      ROUTE_POLICIES.filter((route) => !route.roles.evaluator).map(async (route) => {
        const path = route.path.replace(/\{(\w+)\}/g, `${ROOT}.1`);
        const response = await fetch(`${commons.apiUrl}${path}`, {
          method: route.method,
          headers: { authorization: `Bearer ${evaluatorToken}`, 'content-type': 'application/json' },
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: '{}' }),
        });
        await response.arrayBuffer();
        return `${route.method} ${route.path} ${response.status}`;
      }),
    );
    expect(statuses.filter((s) => !s.endsWith(' 403'))).toEqual([]);
  });

  it('refuses a minimum subgroup size below the floor of 5 when the project is saved', async () => {
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-e'));
    const refused = await curator
      .request('POST', '/projects', {
        projectId: PROJECT,
        name: PROJECT,
        availability: 'open',
        settings: { evaluationMinimumSubgroupSize: 4 },
      })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, message: expect.stringContaining('evaluationMinimumSubgroupSize') });
  });

  it("runs a task on the project's own label, derived from its condition records at the release", async () => {
    await expect(evaluator.request('POST', '/evaluations', { ...spec, task: { label: 'sepsis', positive: 'Yes' } })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("the project's task labels are: covid19, pneumonia"),
    });
    const created = await evaluator.request<{ evaluationId: string; upload: { url: string } }>('POST', '/evaluations', {
      ...spec,
      task: { label: 'pneumonia', positive: 'Yes' },
    });
    expect((await fetch(created.upload.url, { method: 'PUT', body: model })).status).toBe(200);
    await evaluator.request('POST', `/evaluations/${created.evaluationId}/run`);
    await commons.idle();
    const answer = await evaluator.request<{ status: string; report: typeof report }>('GET', `/evaluations/${created.evaluationId}`);
    expect(answer.status).toBe('succeeded');
    const byPneumonia = CASES.map((c) => ({ value: c.value, positive: c.pneumonia }));
    expect(answer.report.positives).toBe(4);
    // By hand: 3000 beats all six negatives, 2400 five, 2200 five, 1200 three: 19 of 24 pairs.
    expect(answer.report.auc.auc).toBeCloseTo(aucByPairs(byPneumonia), 12);
    expect(answer.report.auc.auc).toBeCloseTo(19 / 24, 12);
  });

  it('refuses one evaluation past the quota with 429', async () => {
    await evaluator.request('POST', '/evaluations', spec); // the third of three allowed
    const refused = await evaluator.request('POST', '/evaluations', spec).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(429);
    expect((refused as ApiError).message).toContain('evaluation quota reached');
  });
});
