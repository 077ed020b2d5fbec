/**
 * The duplicate-pixels rule (pixel.duplicate) in the commons: the staging records each instance's pixel key (length
 * and CRC-32) and no pixel SHA-256; the submission workflow's StudyQa reads again, from their released copies, only
 * the instances whose key another instance of their study shares (layers/services/pixel-digests.ts), and the rule
 * compares their digests, across submissions too.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { HilumApi } from '../../cli/lib/api-client';
import type { QaReport } from '../../layers/qa';
import type { LocalCommons } from '../../local/commons';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { makeDicom } from '../support/synthetic-dicom';
import { CT_RESCALE } from '../unit/qa/support';

jest.setTimeout(120_000);

const PROJECT = 'pixels';
const SITE = 'site-px';
const STUDY = '1.2.826.0.1.3680043.8.498.7171.1';

describe('duplicate pixels in the commons', () => {
  let started: SiteCommons;
  let commons: LocalCommons;
  let site: HilumApi;
  let curator: HilumApi;

  beforeAll(async () => {
    started = await startSiteCommons({ name: 'pixels', project: PROJECT, site: SITE, handlerLogLevel: 'SILENT' });
    ({ commons, site, curator } = started);
  });

  afterAll(async () => {
    await started?.stop();
  });

  /** A slice of the study, SOP Instance UID `sop`; its pixels follow its instance number (the same number, the same pixels). */
  const slice = (sop: number, instanceNumber: number) =>
    makeDicom({
      studyInstanceUid: STUDY,
      seriesInstanceUid: `${STUDY}.1`,
      sopInstanceUid: `${STUDY}.1.${sop}`,
      elements: CT_RESCALE,
      instanceNumber,
      patient: { id: 'P-1' },
    });

  /** submitFiles, answering each file's id by its name. */
  async function submit(files: Record<string, Uint8Array>): Promise<{ submissionId: string; idOf: (name: string) => string }> {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const { uploads } = await site.requestUploads(
      submissionId,
      Object.entries(files).map(([name, bytes]) => ({ name, size: bytes.byteLength })),
    );
    for (const u of uploads) expect((await fetch(u.url!, { method: 'PUT', body: files[u.name!]! })).status).toBe(200);
    await site.completeSubmission(submissionId);
    await commons.idle();
    return { submissionId, idOf: (name) => uploads.find((u) => u.name === name)!.fileId! };
  }

  async function instanceItems(): Promise<Record<string, unknown>[]> {
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: commons.dynamodbEndpoint, region: 'us-east-1', credentials: commons.credentials }),
    );
    try {
      const page = await documents.send(new ScanCommand({ TableName: commons.tableName }));
      return (page.Items ?? []).filter((i) => typeof i.sk === 'string' && i.sk.startsWith('INSTANCE#'));
    } finally {
      documents.destroy();
    }
  }

  const pixelWarnings = (report: QaReport) => report.warnings.filter((w) => w.ruleId === 'pixel.duplicate').map((w) => w.fileId);

  it('flags the later of two instances with the same pixels, not one whose pixels differ; records keys, not digests', async () => {
    const { submissionId: first, idOf } = await submit({ 'a.dcm': slice(1, 1), 'b.dcm': slice(2, 1), 'c.dcm': slice(3, 3) });
    expect(await site.getSubmission(first)).toMatchObject({ status: 'published', stagedCount: 3 });
    const report = await curator.request<QaReport>('GET', `/submissions/${first}/report`);
    expect(pixelWarnings(report)).toEqual([idOf('b.dcm')]);

    const items = await instanceItems();
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(item.pixelKey).toMatch(/^\d+:\d+$/);
      expect(item).not.toHaveProperty('pixelSha256');
    }
    const keys = new Set(items.map((i) => i.pixelKey));
    expect(keys.size).toBe(2);
  });

  it("compares a later submission's instance with the study's earlier ones", async () => {
    const { submissionId: later, idOf } = await submit({ 'd.dcm': slice(4, 3), 'e.dcm': slice(5, 5) });
    expect(await site.getSubmission(later)).toMatchObject({ status: 'published', stagedCount: 2 });
    const report = await curator.request<QaReport>('GET', `/submissions/${later}/report`);
    // The earlier submission's warning is reported again (a study's warnings are), and now d's.
    expect(pixelWarnings(report)).toContain(idOf('d.dcm'));
    expect(pixelWarnings(report)).not.toContain(idOf('e.dcm'));
    expect(pixelWarnings(report)).toHaveLength(2);
  });
});
