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
    const before = meter.snapshot().dynamodbCalls;
    for (const [i, upload] of uploads.entries()) expect((await fetch(upload.url!, { method: 'PUT', body: slices[i]! })).status).toBe(200);
    await site.completeSubmission(submissionId);
    await fixture.commons.idle();
    const after = meter.snapshot().dynamodbCalls;
    calls = Object.fromEntries(
      Object.entries(after).map(([label, usage]) => [label, { ...usage, requests: usage.requests - (before[label]?.requests ?? 0) }]),
    );
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: FILES });
    report = await site.request<QaReport>('GET', `/submissions/${submissionId}/report`);
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  const requests = (label: string) => calls[label]?.requests ?? 0;

  it('reads the claims and the submission’s study reference once, eventually consistent, and never re-reads them to stage', () => {
    expect(requests('BatchGetItem [STUDY/STUDY, SERIESUID/OWNER, OBJECT/OBJECT, SUBMISSION/STUDY]')).toBe(FILES);
    expect(requests('BatchGetItem [STUDY/STUDY, SERIESUID/OWNER, OBJECT/OBJECT]')).toBe(0);
  });

  it('reads the submission once per container for what never changes, and again per file for its readiness', () => {
    // Per file: the readiness check after the staging write (counters, status). The rest (7 here): this container's one
    // read of the submission's identity, the seal, the submission workflow's steps and the API calls above. Reading the
    // identity per file too made it 18.
    expect(requests('GetItem SUBMISSION/SUBMISSION')).toBeGreaterThanOrEqual(FILES);
    expect(requests('GetItem SUBMISSION/SUBMISSION')).toBeLessThanOrEqual(FILES + 10);
  });

  it("reads a file with its project's QA configuration in one request once the container knows the submission", () => {
    // The first file of the submission in each function thread reads the file, the submission and the configuration
    // apart; the rest read file and configuration together (the same read units, one request instead of two).
    const together = requests('BatchGetItem [SUBMISSION/FILE, QACONFIG/QACONFIG]');
    expect(together).toBeGreaterThanOrEqual(1);
    expect(requests('GetItem SUBMISSION/FILE') + together).toBe(FILES);
    // The rest of the configuration reads: the first files' and StudyQa's.
    expect(requests('GetItem QACONFIG/QACONFIG')).toBe(FILES - together + 1);
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
});
