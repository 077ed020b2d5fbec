/**
 * Found by the chaos suite (issue 12): two executions of the same file (a duplicated
 * S3 event, a redrive, a task that timed out but went on) race, one staging the file
 * while the other, after a failed task, quarantines it. Quarantine reads the file as
 * `announced`, copies the original to the quarantine bucket, writes the sidecar and the
 * curator's record, and then loses the conditional outcome write to Stage. It used to
 * leave all three behind: a PHI copy in the quarantine bucket and an open quarantine
 * record (GET /quarantine) for a file that is published. Here the race is made
 * deterministic: the Stage of the same file runs just before Quarantine's outcome write.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { HilumApi } from '../../cli/lib/api-client';
import { IntakeRepository } from '../../layers/adapters/aws/dynamodb/intake-repository';
import { QaRepository } from '../../layers/adapters/aws/dynamodb/qa-repository';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(120_000);

const PROJECT = 'race';
const SITE = 'site-race';

describe('a file staged by one execution while another quarantines it', () => {
  let fixture: SiteCommons;
  let commons: SiteCommons['commons'];
  let s3: S3Client;
  let site: HilumApi;
  let curator: HilumApi;
  let exists: SiteCommons['exists'];
  const held = new Set<string>();

  beforeAll(async () => {
    fixture = await startSiteCommons({
      name: 'race',
      project: PROJECT,
      site: SITE,
      handlerLogLevel: 'ERROR',
      // The test drives the tasks itself: the object's event starts no execution.
      dropEvent: (event) => held.has(String((event.detail as { object?: { key?: string } } | undefined)?.object?.key)),
    });
    ({ commons, s3, site, curator, exists } = fixture);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await fixture?.stop();
  });

  /** One CT file uploaded to a new submission, its event held back: the test drives the tasks itself. */
  const heldUpload = async (name: string) => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const [bytes] = makeSeries(1, { modality: 'CT', rows: 32, columns: 32 });
    const { uploads } = await site.requestUploads(submissionId, [{ name, size: bytes!.byteLength }]);
    const { fileId } = uploads[0]!;
    const bucket = commons.buckets.intake;
    const key = `intake/${submissionId}/${fileId}`;
    held.add(key);
    expect((await fetch(uploads[0]!.url!, { method: 'PUT', body: bytes })).status).toBe(200);
    return { submissionId, fileId, bucket, key };
  };

  it('leaves no quarantine copy, sidecar or curator record behind, and the file stays published', async () => {
    const { submissionId, fileId, bucket, key } = await heldUpload('a.dcm');

    // One execution got as far as Stage's input...
    const parse = (await commons.invoke('Parse', { bucket, key })) as { submissionId: string; fileId: string };
    const deid = (await commons.invoke('Deidentify', { bucket, key, submissionId, fileId })) as {
      workKey: string;
      studyUid: string;
      seriesUid: string;
      sopUid: string;
      outcome: string;
    };
    await commons.invoke('Verify', { bucket, originalKey: key, workKey: deid.workKey });
    const qa = (await commons.invoke('Qa', { bucket, workKey: deid.workKey, deidOutcome: deid.outcome, submissionId, fileId })) as {
      findings: unknown[];
    };
    const stage = () =>
      commons.invoke('Stage', {
        bucket,
        originalKey: key,
        workKey: deid.workKey,
        submissionId,
        fileId,
        studyUid: deid.studyUid,
        seriesUid: deid.seriesUid,
        sopUid: deid.sopUid,
        findings: qa.findings,
      });
    // ...and stages the file just before the other execution's Quarantine records its outcome.
    const recordQuarantined = IntakeRepository.prototype.recordQuarantined;
    const spy = jest.spyOn(IntakeRepository.prototype, 'recordQuarantined').mockImplementationOnce(async function (
      this: IntakeRepository,
      file,
    ) {
      await stage();
      return recordQuarantined.call(this, file);
    });
    await commons.invoke('Quarantine', {
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: bucket }, object: { key } },
      parse,
      deid,
      error: { Error: 'InjectedFault', Cause: 'a task of the other execution failed' },
    });
    expect(spy).toHaveBeenCalledTimes(1);

    const submission = await site.getSubmission(submissionId);
    expect(submission.files).toEqual([expect.objectContaining({ fileId, status: 'staged' })]);
    expect(submission.quarantinedCount).toBe(0);
    expect(await exists(commons.buckets.released, `studies/${deid.studyUid}/${deid.seriesUid}/${deid.sopUid}.dcm`)).toBe(true);
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}`)).toBe(false);
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}.json`)).toBe(false);
    const { items } = await curator.request<{ items: { fileId: string }[] }>('GET', '/quarantine');
    expect(items.filter((q) => q.fileId === fileId)).toEqual([]);
    expect(await exists(bucket, key)).toBe(false);
    expect(await exists(bucket, deid.workKey)).toBe(false);
  });

  // Also found by the chaos suite: two executions of one file both fail, for different reasons (a task timeout in
  // one, an injected fault in the other), and both quarantine it. The outcome has one winner; the sidecar and the
  // curator's record used to be written by whoever came first or last, so the three could disagree on the reason.
  it('two quarantines of one file with different reasons: the file record, the sidecar and the curator record agree', async () => {
    const { submissionId, fileId, bucket, key } = await heldUpload('b.dcm');
    const parse = (await commons.invoke('Parse', { bucket, key })) as { submissionId: string; fileId: string };
    const quarantine = (error: string) =>
      commons.invoke('Quarantine', {
        'detail-type': 'Object Created',
        source: 'aws.s3',
        detail: { bucket: { name: bucket }, object: { key } },
        parse,
        error: { Error: error, Cause: 'a task failed' },
      });

    // The injected fault's Quarantine reads the file as announced; the timeout's Quarantine records its outcome first.
    const recordQuarantined = IntakeRepository.prototype.recordQuarantined;
    jest.spyOn(IntakeRepository.prototype, 'recordQuarantined').mockImplementationOnce(async function (this: IntakeRepository, file) {
      await quarantine('Sandbox.Timedout');
      return recordQuarantined.call(this, file);
    });
    await quarantine('InjectedFault');

    const submission = await site.getSubmission(submissionId);
    expect(submission.files).toEqual([expect.objectContaining({ fileId, status: 'quarantined' })]);
    expect(submission.quarantinedCount).toBe(1);
    const sidecar = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: commons.buckets.quarantine, Key: `quarantine/${submissionId}/${fileId}.json` }))
      ).Body!.transformToString(),
    ) as { reasonCode: string };
    const { items } = await curator.request<{ items: { fileId: string; reasonCode: string }[] }>('GET', '/quarantine');
    const records = items.filter((q) => q.fileId === fileId);
    expect({ sidecar: sidecar.reasonCode, records: records.map((r) => r.reasonCode) }).toEqual({
      sidecar: 'ResourceLimit',
      records: ['ResourceLimit'],
    });
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}`)).toBe(true);
    expect(await exists(bucket, key)).toBe(false);
  });

  it('a quarantine that recorded its outcome and crashed before its curator record is finished by its retry', async () => {
    const { submissionId, fileId, bucket, key } = await heldUpload('c.dcm');
    const parse = (await commons.invoke('Parse', { bucket, key })) as { submissionId: string; fileId: string };
    const input = {
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: bucket }, object: { key } },
      parse,
      error: { Error: 'InjectedFault', Cause: 'a task failed' },
    };
    jest.spyOn(QaRepository.prototype, 'putQuarantine').mockRejectedValueOnce(Object.assign(new Error('crashed'), { name: 'Crash' }));
    await expect(commons.invoke('Quarantine', input)).rejects.toThrow();
    expect((await site.getSubmission(submissionId)).files).toEqual([expect.objectContaining({ fileId, status: 'quarantined' })]);

    await commons.invoke('Quarantine', input);
    const { items } = await curator.request<{ items: { fileId: string; reasonCode: string }[] }>('GET', '/quarantine');
    expect(items.filter((q) => q.fileId === fileId).map((q) => q.reasonCode)).toEqual(['InjectedFault']);
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}.json`)).toBe(true);
    expect(await exists(bucket, key)).toBe(false);
  });
});
