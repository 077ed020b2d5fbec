/**
 * What DynamoDB calls ingesting a CT series costs, per file, counted at the local commons' DynamoDB front
 * (docs/ingest-scale.md, "DynamoDB requests per instance, and the JVM"): each read or write left on the
 * path is there for a guarantee, and the cuts stay cut.
 */
import { HilumApi } from '../../cli/lib/api-client';
import type { QaReport } from '../../layers/qa';
import { UsageMeter, type DynamoDbCallUsage } from '../../local/usage-meter';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(120_000);

const PROJECT = 'ddb-calls';
const SITE = 'site-ddb';
const FILES = 6;

describe('the DynamoDB calls of ingesting a CT series, per file', () => {
  const meter = new UsageMeter();
  let fixture: SiteCommons;
  let site: HilumApi;
  let calls: Record<string, DynamoDbCallUsage>;
  /** The calls of the submission workflow alone (every file staged before the submission is completed). */
  let workflowCalls: Record<string, DynamoDbCallUsage>;
  /** IngestBatch invocations: the series' objects arrive through the queue in one or more batches. */
  let batches: number;
  let report: QaReport;

  beforeAll(async () => {
    fixture = await startSiteCommons({ name: 'ddb-calls', project: PROJECT, site: SITE, handlerLogLevel: 'ERROR', meter });
    ({ site } = fixture);
    const slices = makeSeries(FILES, { modality: 'CT', rows: 32, columns: 32 });
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const { uploads } = await site.requestUploads(
      submissionId,
      slices.map((bytes, i) => ({ name: `slice-${i}.dcm`, size: bytes.byteLength })),
    );
    await fixture.commons.idle();
    const beforeAll = meter.snapshot();
    const before = beforeAll.dynamodbCalls;
    for (const [i, upload] of uploads.entries()) expect((await fetch(upload.url!, { method: 'PUT', body: slices[i]! })).status).toBe(200);
    await fixture.commons.idle();
    const staged = meter.snapshot().dynamodbCalls;
    await site.completeSubmission(submissionId);
    await fixture.commons.idle();
    const afterAll = meter.snapshot();
    const after = afterAll.dynamodbCalls;
    batches = (afterAll.lambda.IngestBatch?.invocations ?? 0) - (beforeAll.lambda.IngestBatch?.invocations ?? 0);
    const since = (from: Record<string, DynamoDbCallUsage>) =>
      Object.fromEntries(
        Object.entries(after).map(([label, usage]) => [label, { ...usage, requests: usage.requests - (from[label]?.requests ?? 0) }]),
      );
    calls = since(before);
    workflowCalls = since(staged);
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: FILES });
    report = await site.request<QaReport>('GET', `/submissions/${submissionId}/report`);
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  const requests = (label: string) => calls[label]?.requests ?? 0;
  /** Requests of every label the pattern matches (a batch's labels count its keys: `3 x OBJECT/OBJECT`). */
  const matching = (label: RegExp) =>
    Object.entries(calls)
      .filter(([l]) => label.test(l))
      .reduce((sum, [, usage]) => sum + usage.requests, 0);

  it('ingests the series through IngestBatch, one invocation per queue batch', () => {
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThanOrEqual(FILES);
  });

  it('reads the claims once per batch and never re-reads them to stage', () => {
    expect(matching(/^BatchGetItem \[STUDY\/STUDY, SERIESUID\/OWNER, (\d+ x )?OBJECT\/OBJECT\]$/)).toBe(batches);
  });

  it("writes no study reference for the submission: its studies are read from its files' outcomes", () => {
    expect(matching(/SUBMISSION\/STUDY/)).toBe(0);
    expect(report.counts).toMatchObject({ files: FILES });
  });

  it('reads the submission once per container for what never changes, and once per batch for its readiness', () => {
    // Per batch: the readiness check after its staging writes (counters, status). The rest (at most 8 here): this
    // container's one read of the submission's identity, the seal, the submission workflow's steps and the API calls above.
    expect(requests('GetItem SUBMISSION/SUBMISSION')).toBeGreaterThanOrEqual(batches);
    expect(requests('GetItem SUBMISSION/SUBMISSION')).toBeLessThanOrEqual(batches + 8);
  });

  it("reads the batch's files with their project's QA configuration in one request", () => {
    // The submission's identity is read (once per container) before the files: their one read takes the configuration too.
    expect(matching(/^BatchGetItem \[(\d+ x )?SUBMISSION\/FILE, QACONFIG\/QACONFIG\]$/)).toBe(batches);
    expect(requests('GetItem SUBMISSION/FILE')).toBe(0);
    // The one other configuration read: StudyQa's.
    expect(requests('GetItem QACONFIG/QACONFIG')).toBe(1);
  });

  it("records each batch's staged files in one transaction", () => {
    expect(matching(/^TransactWriteItems \[.*SUBMISSION\/FILE.*STUDY\/INSTANCE\]$/)).toBe(batches);
  });

  it('records the instance QA findings with the outcome, so neither a result item nor a read for one is per file', () => {
    expect(requests('PutItem SUBMISSION/QA#FILE')).toBe(0);
    expect(requests('GetItem SUBMISSION/QA#FILE')).toBe(0);
    // The synthetic slices lack Rescale Slope and Intercept: each has a warning, and the report shows it.
    expect(report.counts).toMatchObject({ files: FILES, warn: FILES, quarantine: 0, pending: 0 });
    expect(report.warnings.filter((w) => w.ruleId === 'iod.type1-modality')).toHaveLength(FILES);
  });

  it('reads the quarantine records of the report in one request, not one per file', () => {
    expect(requests('GetItem QUARANTINE/QUARANTINE')).toBe(0);
    expect(requests(`BatchGetItem [${FILES} x QUARANTINE/QUARANTINE]`)).toBeGreaterThanOrEqual(1);
  });

  it("writes the new study's item once in the submission workflow: its aggregate with its publication, at indexing", () => {
    // PublishSubmission reads the study (a BatchGetItem) and finds it published: no second write.
    expect(workflowCalls['UpdateItem STUDY/STUDY']?.requests).toBe(1);
    // Staging claimed it (once per batch whose claims' read found it unclaimed: at least once).
    expect(requests('UpdateItem STUDY/STUDY')).toBeGreaterThanOrEqual(2);
  });
});
