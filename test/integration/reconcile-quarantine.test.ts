/**
 * Found by the chaos suite (issue 12): a Quarantine killed after its copy but before its
 * outcome write leaves the file `announced` with its original in intake; the reconciler
 * re-drives it and this time it is staged. The quarantine copy (PHI) used to stay for a
 * published file (and, before Quarantine wrote its sidecar and curator record only after
 * winning the outcome, those too). The reconciler now deletes what is left once it is
 * older than its grace. The kill is simulated by making Quarantine's outcome write throw once.
 */
import { HilumApi } from '../../cli/lib/api-client';
import { IntakeRepository } from '../../layers/adapters/aws/dynamodb/intake-repository';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(120_000);

const PROJECT = 'reconcile-q';
const SITE = 'site-rq';

describe('the reconciler and what a killed Quarantine left for a file staged later', () => {
  let fixture: SiteCommons;
  let commons: SiteCommons['commons'];
  let site: HilumApi;
  let curator: HilumApi;
  let exists: SiteCommons['exists'];
  const held = new Set<string>();

  beforeAll(async () => {
    fixture = await startSiteCommons({
      name: 'reconcile-q',
      project: PROJECT,
      site: SITE,
      handlerLogLevel: 'SILENT',
      reconcile: { everySeconds: 1, graceSeconds: 2 },
      // The upload's own event is lost: the reconciler's redrive is what stages the file.
      dropEvent: (event) =>
        event.source === 'aws.s3' && held.delete(String((event.detail as { object?: { key?: string } } | undefined)?.object?.key)),
    });
    ({ commons, site, curator, exists } = fixture);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await fixture?.stop();
  });

  const openRecords = async (fileId: string) =>
    (await curator.request<{ items: { fileId: string; status: string }[] }>('GET', '/quarantine')).items.filter(
      (q) => q.fileId === fileId && q.status === 'quarantined',
    );

  it('deletes the quarantine copy once the file is staged; the dead Quarantine left no sidecar or curator record', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const [bytes] = makeSeries(1, { modality: 'CT', rows: 32, columns: 32 });
    const { uploads } = await site.requestUploads(submissionId, [{ name: 'a.dcm', size: bytes!.byteLength }]);
    const { fileId } = uploads[0]!;
    const bucket = commons.buckets.intake;
    const key = `intake/${submissionId}/${fileId}`;
    held.add(key);
    expect((await fetch(uploads[0]!.url!, { method: 'PUT', body: bytes })).status).toBe(200);

    // A Quarantine that dies just before its outcome write (the commons killed there).
    jest.spyOn(IntakeRepository.prototype, 'recordQuarantined').mockImplementationOnce(async () => {
      throw Object.assign(new Error('the process was killed'), { name: 'Killed' });
    });
    await expect(
      commons.invoke('Quarantine', {
        'detail-type': 'Object Created',
        source: 'aws.s3',
        detail: { bucket: { name: bucket }, object: { key } },
        error: { Error: 'InjectedFault', Cause: 'a task failed' },
      }),
    ).rejects.toThrow();
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}`)).toBe(true);
    // The sidecar and the curator record follow the outcome: a Quarantine that never recorded one leaves neither.
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}.json`)).toBe(false);
    expect(await openRecords(fileId)).toHaveLength(0);

    // The reconciler re-drives the announced file, which is staged this time, and then cleans up after the dead Quarantine.
    await site.completeSubmission(submissionId);
    const end = Date.now() + 60_000;
    let clean = false;
    while (!clean && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 500));
      const staged = (await site.getSubmission(submissionId)).files[0]?.status === 'staged';
      clean =
        staged &&
        !(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}`)) &&
        !(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}.json`)) &&
        (await openRecords(fileId)).length === 0;
    }
    expect(clean).toBe(true);
    const done = await site.getSubmission(submissionId);
    expect(done).toMatchObject({ stagedCount: 1, quarantinedCount: 0 });
  });

  it('writes the sidecar and curator record a Quarantine killed after its outcome write left, then removes the original', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const [bytes] = makeSeries(1, { modality: 'CT', rows: 32, columns: 32 });
    const { uploads } = await site.requestUploads(submissionId, [{ name: 'b.dcm', size: bytes!.byteLength }]);
    const { fileId } = uploads[0]!;
    const key = `intake/${submissionId}/${fileId}`;
    held.add(key);
    expect((await fetch(uploads[0]!.url!, { method: 'PUT', body: bytes })).status).toBe(200);

    // The outcome is recorded, then the commons dies before the sidecar and the curator record (found by the chaos suite).
    const recordQuarantined = IntakeRepository.prototype.recordQuarantined;
    jest.spyOn(IntakeRepository.prototype, 'recordQuarantined').mockImplementationOnce(async function (this: IntakeRepository, file) {
      await recordQuarantined.call(this, file);
      throw Object.assign(new Error('the process was killed'), { name: 'Killed' });
    });
    await expect(
      commons.invoke('Quarantine', {
        'detail-type': 'Object Created',
        source: 'aws.s3',
        detail: { bucket: { name: commons.buckets.intake }, object: { key } },
        error: { Error: 'InjectedFault', Cause: 'a task failed' },
      }),
    ).rejects.toThrow();
    expect((await site.getSubmission(submissionId)).files[0]?.status).toBe('quarantined');
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}.json`)).toBe(false);
    expect(await openRecords(fileId)).toHaveLength(0);

    const end = Date.now() + 60_000;
    let finished = false;
    while (!finished && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 500));
      finished = !(await exists(commons.buckets.intake, key));
    }
    expect(finished).toBe(true);
    // The original was deleted only after what the curator needs was written from the stored decision.
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}`)).toBe(true);
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}.json`)).toBe(true);
    const records = await openRecords(fileId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ reasonCode: 'InjectedFault' });
  });
});
