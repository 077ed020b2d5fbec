/**
 * Found by the chaos suite (issue 12): two executions of the same file (a duplicated
 * S3 event, a redrive, a task that timed out but went on) race, one staging the file
 * while the other, after a failed task, quarantines it. Quarantine reads the file as
 * `announced`, copies the original to the quarantine bucket, writes the sidecar and the
 * curator's record, and then loses the conditional outcome write to the staging. It used to
 * leave all three behind: a PHI copy in the quarantine bucket and an open quarantine
 * record (GET /quarantine) for a file that is published. Here the race is made
 * deterministic: IngestObject stages the same file just before Quarantine's outcome write.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { HilumApi } from '../../cli/lib/api-client';
import { IntakeRepository } from '../../layers/adapters/aws/dynamodb/intake-repository';
import { QaRepository } from '../../layers/adapters/aws/dynamodb/qa-repository';
import { ObjectStore } from '../../layers/adapters/aws/objects';
import { TransientError } from '../../layers/common/errors';
import { UsageMeter, type UsageCounts } from '../../local/usage-meter';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { queuedObjectRecord } from '../support/queued-record';
import { failingFilesOf } from '../support/failing-files';
import { makeDicom, makeSeries } from '../support/synthetic-dicom';

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
  const logged: string[] = [];
  const meter = new UsageMeter();

  beforeAll(async () => {
    fixture = await startSiteCommons({
      name: 'race',
      project: PROJECT,
      site: SITE,
      handlerLogLevel: 'ERROR',
      meter,
      // Retries at once: the partial-failure test retries a transient fault and exhausts the retries of another.
      retryIntervalMs: 5,
      // The commons' lines (a failed execution is reported here), kept for the assertions rather than printed.
      log: (line) => logged.push(line),
      // The test drives the tasks itself: the object's event starts no execution.
      dropEvent: (event) => held.has(String((event.detail as { object?: { key?: string } } | undefined)?.object?.key)),
    });
    ({ commons, s3, site, curator, exists } = fixture);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await fixture?.stop();
  });

  /** The intake keys an execution's input names: its event's, or (ingest-batch) each of its SQS records' events'. */
  const keysOf = (input: unknown): string[] =>
    Array.isArray(input)
      ? input.flatMap((r: { body?: string }) => (typeof r.body === 'string' ? keysOf(JSON.parse(r.body)) : []))
      : [String((input as { detail?: { object?: { key?: string } } }).detail?.object?.key)];

  /** The released objects of a study. */
  const releasedUnder = async (studyUid: string | undefined) =>
    (await s3.send(new ListObjectsV2Command({ Bucket: commons.buckets.released, Prefix: `studies/${studyUid}/` }))).Contents ?? [];

  /** One CT file uploaded to a new submission, its event held back: the test drives the tasks itself. */
  const heldUpload = async (name: string, bytes = makeSeries(1, { modality: 'CT', rows: 32, columns: 32 })[0]) => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
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

    // One execution processes and stages the file...
    let staged: { deid: { studyUid: string; seriesUid: string; sopUid: string } } | undefined;
    const stage = async () => {
      staged = (await commons.invoke('IngestObject', { bucket, key })) as typeof staged;
    };
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
      error: { Error: 'InjectedFault', Cause: 'a task of the other execution failed' },
    });
    expect(spy).toHaveBeenCalledTimes(1);
    const deid = staged!.deid;

    const submission = await site.getSubmission(submissionId);
    expect(submission.files).toEqual([expect.objectContaining({ fileId, status: 'staged' })]);
    expect(submission.quarantinedCount).toBe(0);
    expect(await exists(commons.buckets.released, `studies/${deid.studyUid}/${deid.seriesUid}/${deid.sopUid}.dcm`)).toBe(true);
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}`)).toBe(false);
    expect(await exists(commons.buckets.quarantine, `quarantine/${submissionId}/${fileId}.json`)).toBe(false);
    const { items } = await curator.request<{ items: { fileId: string }[] }>('GET', '/quarantine');
    expect(items.filter((q) => q.fileId === fileId)).toEqual([]);
    expect(await exists(bucket, key)).toBe(false);
  });

  // Also found by the chaos suite: two executions of one file both fail, for different reasons (a task timeout in
  // one, an injected fault in the other), and both quarantine it. The outcome has one winner; the sidecar and the
  // curator's record used to be written by whoever came first or last, so the three could disagree on the reason.
  it('two quarantines of one file with different reasons: the file record, the sidecar and the curator record agree', async () => {
    const { submissionId, fileId, bucket, key } = await heldUpload('b.dcm');
    const quarantine = (error: string) =>
      commons.invoke('Quarantine', {
        'detail-type': 'Object Created',
        source: 'aws.s3',
        detail: { bucket: { name: bucket }, object: { key } },
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
    const input = {
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: bucket }, object: { key } },
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
  // Issue 21: one submission whose objects fail in different ways while the others stage, through the workflow
  // (IngestObject, one task per object): each object ends in exactly one end state and nothing is published twice.
  it('a submission whose objects partly fail: each ends staged, quarantined with its reason, or in intake after a platform fault', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const uids = { studyInstanceUid: '2.25.2121000', seriesInstanceUid: '2.25.2121001' };
    const series = makeSeries(5, { modality: 'CT', rows: 32, columns: 32, ...uids });
    const files: Record<string, Uint8Array> = {
      clean1: series[0]!,
      clean2: series[1]!,
      clean3: series[2]!,
      transient: series[3]!,
      platform: series[4]!,
      ...failingFilesOf(uids),
    };
    const names = Object.keys(files);
    const { uploads } = await site.requestUploads(
      submissionId,
      names.map((name) => ({ name, size: files[name]!.byteLength })),
    );
    const bucket = commons.buckets.intake;
    const keyOf = Object.fromEntries(names.map((name, i) => [name, `intake/${submissionId}/${uploads[i]!.fileId}`]));
    const nameOf = Object.fromEntries(names.map((name, i) => [uploads[i]!.fileId, name]));

    // S3 fails the first read of one object (retried) and every read of another (its retries run out: a platform fault).
    const open = ObjectStore.prototype.open;
    let transientFaults = 0;
    const faults = jest.spyOn(ObjectStore.prototype, 'open').mockImplementation(async function (this: ObjectStore, b, key, options) {
      if (key === keyOf.platform || (key === keyOf.transient && transientFaults++ === 0))
        throw new TransientError('injected: S3 unavailable');
      return open.call(this, b, key, options);
    });
    for (const [i, name] of names.entries()) expect((await fetch(uploads[i]!.url!, { method: 'PUT', body: files[name] })).status).toBe(200);
    await commons.idle();
    faults.mockRestore();

    const state = async (name: string, file: { status: string; reasonCode?: string }) => {
      const [inIntake, inQuarantine] = await Promise.all([
        exists(bucket, keyOf[name]!),
        exists(commons.buckets.quarantine, `quarantine/${submissionId}/${keyOf[name]!.split('/')[2]}`),
      ]);
      const executions = commons.executions().filter((e) => keysOf(e.input).includes(keyOf[name]!));
      const ends = [
        file.status === 'staged' && !inIntake && !inQuarantine ? 'staged' : undefined,
        file.status === 'quarantined' && !inIntake && inQuarantine ? `quarantined ${file.reasonCode}` : undefined,
        file.status === 'announced' &&
        inIntake &&
        !inQuarantine &&
        executions.some((e) => e.status === 'FAILED' && e.error?.name === 'PipelineFault')
          ? 'in intake after PipelineFault'
          : undefined,
      ].filter(Boolean);
      return ends.length === 1 ? ends[0] : `${ends.length} end states (${file.status}, intake ${inIntake}, quarantine ${inQuarantine})`;
    };
    const submission = await site.getSubmission(submissionId);
    const ends = Object.fromEntries(
      await Promise.all(submission.files.map(async (f) => [nameOf[f.fileId]!, await state(nameOf[f.fileId]!, f)] as const)),
    );
    // Of the two files with one SOP Instance UID, whichever claimed it first stages; the other is held.
    const [first, second] = ends.clean1 === 'staged' ? ['clean1', 'duplicateSop'] : ['duplicateSop', 'clean1'];
    expect(ends).toEqual({
      clean2: 'staged',
      clean3: 'staged',
      transient: 'staged',
      [first]: 'staged',
      [second]: 'quarantined uids.duplicate-sop',
      corrupt: 'quarantined DicomParseError',
      outOfScope: 'quarantined scope.modality',
      platform: 'in intake after PipelineFault',
    });
    expect(transientFaults).toBeGreaterThan(1);
    // The execution the platform fault ended is reported, never silent.
    expect(logged.filter((line) => /FAILED: PipelineFault/.test(line))).toHaveLength(1);
    expect(submission).toMatchObject({ stagedCount: 4, quarantinedCount: 3 });

    // The platform fault is redrivable: once S3 answers, the same object stages.
    expect(await commons.invoke('IngestObject', { bucket, key: keyOf.platform })).toMatchObject({ outcome: 'staged' });
    const after = await site.getSubmission(submissionId);
    expect(after).toMatchObject({ stagedCount: 5, quarantinedCount: 3 });
    expect(await exists(bucket, keyOf.platform!)).toBe(false);

    // Nothing published twice: one released object per staged file, all in the one study.
    const studyUids = new Set(after.files.filter((f) => f.status === 'staged').map((f) => (f as { studyUid?: string }).studyUid));
    expect(studyUids.size).toBe(1);
    expect(await releasedUnder([...studyUids][0])).toHaveLength(5);
  });
  // IngestObject stages in one invocation: a crash between its writes is finished by the next delivery of the event.
  it.each([
    ['after the released PUT, before the catalog record', () => jest.spyOn(IntakeRepository.prototype, 'recordStaged')],
    ['after the catalog record, before the original is deleted', () => jest.spyOn(ObjectStore.prototype, 'delete')],
  ])('a crash %s: the repeat stages the file once and removes the original', async (when, spyOn) => {
    // A study of its own per case.
    const studyInstanceUid = `2.25.2121${when.length}${Date.now()}`;
    const { submissionId, fileId, bucket, key } = await heldUpload(
      'crash.dcm',
      makeDicom({ rows: 32, columns: 32, studyInstanceUid, seriesInstanceUid: `${studyInstanceUid}.1` }),
    );
    spyOn().mockRejectedValueOnce(Object.assign(new Error('crashed'), { name: 'Crash' }));
    await expect(commons.invoke('IngestObject', { bucket, key })).rejects.toThrow();

    const repeat = (await commons.invoke('IngestObject', { bucket, key })) as { outcome: string };
    expect(['staged', 'already-handled']).toContain(repeat.outcome);
    const submission = await site.getSubmission(submissionId);
    expect(submission.files).toEqual([expect.objectContaining({ fileId, status: 'staged' })]);
    expect(submission.stagedCount).toBe(1);
    expect(await exists(bucket, key)).toBe(false);
    const studyUid = (submission.files[0] as { studyUid?: string }).studyUid;
    expect(await releasedUnder(studyUid)).toHaveLength(1);
  });

  it('a staging write refused while the file is still announced keeps the original for the retry', async () => {
    const studyInstanceUid = `2.25.2323${Date.now()}`;
    const { submissionId, fileId, bucket, key } = await heldUpload(
      'refused.dcm',
      makeDicom({ rows: 32, columns: 32, studyInstanceUid, seriesInstanceUid: `${studyInstanceUid}.1` }),
    );
    // The conditional write answers "not written" though nothing gave the file an outcome (a refusal for another reason).
    jest.spyOn(IntakeRepository.prototype, 'recordStaged').mockResolvedValueOnce(false);
    await expect(commons.invoke('IngestObject', { bucket, key })).rejects.toThrow('still announced');
    expect(await exists(bucket, key)).toBe(true);
    expect((await site.getSubmission(submissionId)).files).toEqual([expect.objectContaining({ fileId, status: 'announced' })]);

    expect(await commons.invoke('IngestObject', { bucket, key })).toMatchObject({ outcome: 'staged' });
    expect(await exists(bucket, key)).toBe(false);
  });
  // IngestBatch (issue 21): the objects of one queue batch in one invocation, one answer per record.
  describe('IngestBatch', () => {
    const record = queuedObjectRecord;
    type Item = { detail: { object: { key: string } }; ingest?: { outcome: string }; error?: { Error: string; Cause: string } };
    const batch = async (records: unknown[]) => ((await commons.invoke('IngestBatch', { records })) as { items: Item[] }).items;
    /** A submission of `n` CT slices of one new series and `extra` files, their events held back unless `hold` is false. */
    const heldSeries = async (n: number, extra: Record<string, Uint8Array> = {}, hold = true) => {
      const studyInstanceUid = `2.25.2525${Date.now()}${n}`;
      const series = makeSeries(n, { modality: 'CT', rows: 32, columns: 32, studyInstanceUid, seriesInstanceUid: `${studyInstanceUid}.1` });
      const files: Record<string, Uint8Array> = { ...Object.fromEntries(series.map((b, i) => [`slice${i}`, b])), ...extra };
      const { submissionId } = await site.createSubmission(PROJECT, SITE);
      const names = Object.keys(files);
      const { uploads } = await site.requestUploads(
        submissionId,
        names.map((name) => ({ name, size: files[name]!.byteLength })),
      );
      const bucket = commons.buckets.intake;
      const keyOf = Object.fromEntries(names.map((name, i) => [name, `intake/${submissionId}/${uploads[i]!.fileId}`]));
      if (hold) for (const key of Object.values(keyOf)) held.add(key);
      for (const [i, name] of names.entries())
        expect((await fetch(uploads[i]!.url!, { method: 'PUT', body: files[name] })).status).toBe(200);
      return { submissionId, bucket, keyOf };
    };
    const reasonOf = async (submissionId: string, fileId: string) => {
      const file = (await site.getSubmission(submissionId)).files.find((f) => f.fileId === fileId) as { status: string; reason?: string };
      return `${file.status}: ${file.reason}`;
    };

    it('a partly failing batch: good objects stage, each bad record gets its own item, Quarantine gives the per-object reason', async () => {
      const corrupt = new TextEncoder().encode('not a DICOM file, only text');
      const { submissionId, bucket, keyOf } = await heldSeries(3, { corrupt, resized: makeDicom({ rows: 32, columns: 32 }) });
      // The object's bytes replaced after the announcement: one byte short of what the site announced.
      const resizedBytes = makeDicom({ rows: 32, columns: 32 });
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: keyOf.resized!, Body: resizedBytes.subarray(0, resizedBytes.byteLength - 1) }),
      );

      // An object of another bucket under an intake-shaped key: a record naming it must not make Quarantine move it.
      const decoy = `intake/${submissionId}/decoy`;
      await s3.send(new PutObjectCommand({ Bucket: commons.buckets.released, Key: decoy, Body: 'decoy' }));
      const items = await batch([
        record(bucket, keyOf.slice0!),
        record(bucket, keyOf.corrupt!),
        record(bucket, keyOf.slice1!),
        { messageId: 'not-json', body: '{"detail": ' },
        record(bucket, keyOf.slice0!, 'again'), // at-least-once: the same object twice in one batch
        record(commons.buckets.released, decoy, 'other-bucket'),
        record(bucket, keyOf.resized!),
        record(bucket, `intake/${submissionId}/never-announced`, 'unannounced'),
        record(bucket, keyOf.slice2!),
      ]);
      expect(items.map((i) => i.ingest?.outcome ?? i.error?.Error)).toEqual([
        'staged',
        'DicomParseError',
        'staged',
        'InvalidTaskInput',
        'already-handled',
        'InvalidTaskInput',
        'SizeMismatch',
        'UnknownUpload',
        'staged',
      ]);
      expect(items[0]!.detail.object.key).toBe(keyOf.slice0);
      expect(items[5]!.detail.object.key).toBe('unreadable-record/other-bucket');
      const submission = await site.getSubmission(submissionId);
      expect(submission).toMatchObject({ stagedCount: 3, quarantinedCount: 0 });
      for (const name of ['slice0', 'slice1', 'slice2']) expect(await exists(bucket, keyOf[name]!)).toBe(false);
      // Nothing of another bucket was touched, and nothing published twice.
      const studyUid = (submission.files.find((f) => f.status === 'staged') as { studyUid?: string }).studyUid;
      expect(await releasedUnder(studyUid)).toHaveLength(3);

      // The batch's file errors, quarantined, read as the per-object path's: the same corrupt object through IngestObject's workflow.
      for (const item of items.filter((i) => i.error)) await commons.invoke('Quarantine', item);
      const corruptFileId = keyOf.corrupt!.split('/')[2]!;
      // The per-object path's error, as its Catch holds it: IngestObject's Lambda error name and Cause.
      const perObject = await heldSeries(0, { corrupt });
      const perObjectKey = perObject.keyOf.corrupt!;
      const thrown = (await commons.invoke('IngestObject', { bucket, key: perObjectKey }).catch((e: unknown) => e)) as Error;
      const caught = { Error: thrown.name, Cause: thrown.message };
      expect(items[1]!.error).toEqual(caught);
      await commons.invoke('Quarantine', { detail: { bucket: { name: bucket }, object: { key: perObjectKey } }, error: caught });
      expect(await reasonOf(submissionId, corruptFileId)).toBe(await reasonOf(perObject.submissionId, perObjectKey.split('/')[2]!));
      expect(await reasonOf(submissionId, corruptFileId)).toMatch(/^quarantined: DicomParseError: /);
      expect(await reasonOf(submissionId, keyOf.resized!.split('/')[2]!)).toMatch(/^quarantined: SizeMismatch: the object has \d+ bytes/);
      expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: 3, quarantinedCount: 2 });
      expect(await exists(commons.buckets.released, decoy)).toBe(true);
    });

    it('a transient error on one object fails the whole batch; its repeat finishes every object once, counters exact', async () => {
      const { submissionId, bucket, keyOf } = await heldSeries(4);
      const records = Object.values(keyOf).map((key) => record(bucket, key));
      // S3 refuses the third released copy's PUT: two copies are released but nothing is recorded or deleted yet.
      const put = ObjectStore.prototype.put;
      let puts = 0;
      const fault = jest.spyOn(ObjectStore.prototype, 'put').mockImplementation(async function (this: ObjectStore, ...args) {
        if (args[0] === commons.buckets.released && ++puts === 3) throw new TransientError('injected: S3 unavailable');
        return put.apply(this, args);
      });
      await expect(batch(records)).rejects.toMatchObject({ name: 'TransientError' });
      fault.mockRestore();
      expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: 0 });
      for (const key of Object.values(keyOf)) expect(await exists(bucket, key)).toBe(true);

      const items = await batch(records);
      expect(items.map((i) => i.ingest?.outcome)).toEqual(['staged', 'staged', 'staged', 'staged']);
      const submission = await site.getSubmission(submissionId);
      expect(submission).toMatchObject({ stagedCount: 4, quarantinedCount: 0 });
      for (const key of Object.values(keyOf)) expect(await exists(bucket, key)).toBe(false);
      const studyUid = (submission.files[0] as { studyUid?: string }).studyUid;
      expect(await releasedUnder(studyUid)).toHaveLength(4);
    });

    it('a batch that fails at its one deletion request is finished object by object by the per-object fallback', async () => {
      const { submissionId, bucket, keyOf } = await heldSeries(2);
      jest.spyOn(ObjectStore.prototype, 'deleteMany').mockRejectedValueOnce(new TransientError('injected: S3 unavailable'));
      await expect(batch(Object.values(keyOf).map((key) => record(bucket, key)))).rejects.toMatchObject({ name: 'TransientError' });
      expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: 2 });
      for (const key of Object.values(keyOf)) expect(await exists(bucket, key)).toBe(true);

      for (const key of Object.values(keyOf))
        expect(await commons.invoke('IngestObject', { bucket, key })).toMatchObject({ outcome: 'already-handled' });
      expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: 2, handledCount: 2 });
      for (const key of Object.values(keyOf)) expect(await exists(bucket, key)).toBe(false);
    });

    it('a staging transaction cancelled by a file another execution staged first: each file recorded on its own, counted once', async () => {
      const { submissionId, bucket, keyOf } = await heldSeries(3);
      const together = IntakeRepository.prototype.recordStagedTogether;
      jest.spyOn(IntakeRepository.prototype, 'recordStagedTogether').mockImplementationOnce(async function (
        this: IntakeRepository,
        stagings,
      ) {
        expect(await commons.invoke('IngestObject', { bucket, key: keyOf.slice1! })).toMatchObject({ outcome: 'staged' });
        return together.call(this, stagings);
      });
      const items = await batch(Object.values(keyOf).map((key) => record(bucket, key)));
      expect(items.map((i) => i.ingest?.outcome)).toEqual(['staged', 'staged', 'staged']);
      const submission = await site.getSubmission(submissionId);
      expect(submission).toMatchObject({ stagedCount: 3, handledCount: 3 });
      for (const key of Object.values(keyOf)) expect(await exists(bucket, key)).toBe(false);
      const studyUid = (submission.files[0] as { studyUid?: string }).studyUid;
      expect(await releasedUnder(studyUid)).toHaveLength(3);
    });

    it('a batch of one series shares its reads: files, claims and readiness read once, the originals deleted with one request', async () => {
      const N = 10;
      const { submissionId, bucket, keyOf } = await heldSeries(N);
      const before = meter.snapshot();
      const items = await batch(Object.values(keyOf).map((key) => record(bucket, key)));
      const after = meter.snapshot();
      expect(items.map((i) => i.ingest?.outcome)).toEqual(Array(N).fill('staged'));
      const requests = (label: RegExp, counts: UsageCounts) =>
        Object.entries(counts.dynamodbCalls)
          .filter(([l]) => label.test(l))
          .reduce((sum, [, usage]) => sum + usage.requests, 0);
      const made = (label: RegExp) => requests(label, after) - requests(label, before);
      expect({
        filesWithConfig: made(/^BatchGetItem \[.*SUBMISSION\/FILE.*QACONFIG/),
        fileAlone: made(/^GetItem SUBMISSION\/FILE$/),
        claimsRead: made(/^BatchGetItem \[.*STUDY\/STUDY.*OBJECT\/OBJECT/),
        studyClaim: made(/^UpdateItem STUDY\/STUDY$/),
        seriesClaim: made(/^PutItem SERIESUID\/OWNER$/),
        sopClaims: made(/^PutItem OBJECT\/OBJECT$/),
        sopQaClaimsTogether: made(new RegExp(`^TransactWriteItems \\[${N} x Put QA#SOP/CLAIM\\]$`)),
        sopQaClaimAlone: made(/^PutItem QA#SOP\/CLAIM$/),
        studyReference: made(/^PutItem SUBMISSION\/STUDY$/),
        stagingWrites: made(/^TransactWriteItems .*SUBMISSION\/FILE/),
      }).toEqual({
        filesWithConfig: 1,
        fileAlone: 0,
        claimsRead: 1,
        studyClaim: 1,
        seriesClaim: 1,
        // A new series: its SOPs' ownership entries follow the study's and the series' claims, one write each.
        sopClaims: N,
        sopQaClaimsTogether: 1,
        sopQaClaimAlone: 0,
        studyReference: 0, // the submission's studies are read from its files' outcomes
        stagingWrites: 1,
      });
      // The readiness check once for the batch, and at most one read of the submission's identity (this worker's first).
      expect(made(/^GetItem SUBMISSION\/SUBMISSION$/)).toBeLessThanOrEqual(2);
      // The released copies' PUTs and one DeleteObjects (a POST), no DELETE per original.
      expect(after.s3['put-copy-post-list'] - before.s3['put-copy-post-list']).toBe(N + 1);
      expect(after.s3.delete - before.s3.delete).toBe(0);
      expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: N });
      for (const key of Object.values(keyOf)) expect(await exists(bucket, key)).toBe(false);
    });

    /** The catalog's repositories as the handlers have them (the commons set their variables). */
    const repositories = () => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { qaRepository } = require('../../layers/services/qa-context') as typeof import('../../layers/services/qa-context');
      const { intakeRepository } =
        require('../../layers/services/commons-context') as typeof import('../../layers/services/commons-context');
      /* eslint-enable @typescript-eslint/no-require-imports */
      return { qa: qaRepository(), intake: intakeRepository() };
    };

    /** DynamoDB requests since `before` whose meter label matches. */
    const madeSince = (before: UsageCounts) => {
      const after = meter.snapshot();
      const requests = (label: RegExp, counts: UsageCounts) =>
        Object.entries(counts.dynamodbCalls)
          .filter(([l]) => label.test(l))
          .reduce((sum, [, usage]) => sum + usage.requests, 0);
      return (label: RegExp) => requests(label, after) - requests(label, before);
    };

    it("a batch of a series already claimed writes its files' SOP claims and ownership entries in one transaction", async () => {
      const { submissionId, bucket, keyOf } = await heldSeries(6);
      const keys = Object.values(keyOf);
      const first = await batch(keys.slice(0, 2).map((key) => record(bucket, key)));
      expect(first.map((i) => i.ingest?.outcome)).toEqual(['staged', 'staged']);

      const before = meter.snapshot();
      const items = await batch(keys.slice(2).map((key) => record(bucket, key)));
      const made = madeSince(before);
      expect(items.map((i) => i.ingest?.outcome)).toEqual(Array(4).fill('staged'));
      expect({
        together: made(/^TransactWriteItems \[4 x Put QA#SOP\/CLAIM, 4 x Put OBJECT\/OBJECT\]$/),
        qaClaimAlone: made(/^PutItem QA#SOP\/CLAIM$/),
        ownershipAlone: made(/^(PutItem OBJECT\/OBJECT|PutItem SERIESUID\/OWNER|UpdateItem STUDY\/STUDY)$/),
      }).toEqual({ together: 1, qaClaimAlone: 0, ownershipAlone: 0 });
      expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: 6, quarantinedCount: 0 });
      // Each SOP's claims name its own file and series, as the single writes would have.
      const { qa, intake } = repositories();
      for (const item of items as (Item & { ingest?: { fileId: string; stage?: { releasedKey: string } } })[]) {
        const [, studyUid, seriesUid, sopFile] = item.ingest!.stage!.releasedKey.split('/') as [string, string, string, string];
        const sopUid = sopFile.replace(/\.dcm$/, '');
        expect(await qa.getSopClaimant(studyUid, seriesUid, sopUid)).toEqual({ submissionId, fileId: item.ingest!.fileId });
        const claim = { studyUid, seriesUid, sopUid, project: PROJECT, site: SITE };
        expect(await intake.findOwnershipConflict(claim)).toBe(undefined);
        // The SOP's ownership entry names its series: the same UID under another series runs into it.
        expect(await intake.findOwnershipConflict({ ...claim, seriesUid: `${seriesUid}.9` })).toBe('sop');
      }
    });

    it('a claims transaction cancelled by another transaction on its items: each claim is made alone, every file staged once', async () => {
      const { submissionId, bucket, keyOf } = await heldSeries(4);
      const keys = Object.values(keyOf);
      expect((await batch([record(bucket, keys[0]!)])).map((i) => i.ingest?.outcome)).toEqual(['staged']);
      // DynamoDB cancels the claims' transaction for a concurrent transaction on one of its items (nothing written).
      const send = DynamoDBDocumentClient.prototype.send as (this: DynamoDBDocumentClient, command: unknown) => Promise<unknown>;
      const cancelled = jest.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(function (
        this: DynamoDBDocumentClient,
        command: unknown,
      ) {
        const items = command instanceof TransactWriteCommand ? (command.input.TransactItems ?? []) : [];
        if (items.some((item) => String(item.Put?.Item?.pk).startsWith('QA#SOP#'))) {
          cancelled.mockRestore();
          return Promise.reject(
            new TransactionCanceledException({
              message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
              $metadata: {},
              CancellationReasons: items.map((_, i) => ({ Code: i === 1 ? 'TransactionConflict' : 'None' })),
            }),
          );
        }
        return send.call(this, command);
      } as never);

      const before = meter.snapshot();
      const items = await batch(keys.slice(1).map((key) => record(bucket, key)));
      const made = madeSince(before);
      expect(items.map((i) => i.ingest?.outcome)).toEqual(['staged', 'staged', 'staged']);
      expect(made(/^PutItem QA#SOP\/CLAIM$/)).toBe(3);
      expect(made(/^PutItem OBJECT\/OBJECT$/)).toBe(3);
      expect(made(/^TransactWriteItems \[.*QA#SOP/)).toBe(0);
      expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: 4, quarantinedCount: 0, handledCount: 4 });
    });

    it('SOP UIDs claimed together: the first of two files of one UID in a batch wins, a UID an earlier file holds is refused alone', async () => {
      const study = `2.25.3131${Date.now()}`;
      const dicom = (sopInstanceUid: string, instanceNumber: number) =>
        makeDicom({
          modality: 'CT',
          rows: 32,
          columns: 32,
          studyInstanceUid: study,
          seriesInstanceUid: `${study}.1`,
          sopInstanceUid,
          instanceNumber,
        });
      const earlier = await heldSeries(0, { held: dicom(`${study}.1.1`, 1) });
      expect((await batch([record(earlier.bucket, earlier.keyOf.held!)])).map((i) => i.ingest?.outcome)).toEqual(['staged']);
      const { submissionId, bucket, keyOf } = await heldSeries(0, {
        again: dicom(`${study}.1.1`, 2), // the earlier file's UID, other bytes
        twinA: dicom(`${study}.1.2`, 3),
        twinB: dicom(`${study}.1.2`, 4), // twinA's UID, other bytes
        other: dicom(`${study}.1.3`, 5),
      });

      const before = meter.snapshot();
      const items = (await batch(Object.values(keyOf).map((key) => record(bucket, key)))) as (Item & {
        ingest?: { qa?: { findings: { ruleId: string; message: string }[] }; stage?: { releasedKey: string } };
      })[];
      const made = madeSince(before);

      expect(items.map((i) => i.ingest?.outcome)).toEqual(['quarantine', 'staged', 'quarantine', 'staged']);
      const fileIdOf = (key: string) => key.split('/')[2]!;
      const duplicateOf = (item: (typeof items)[number]) =>
        item.ingest?.qa?.findings.filter((f) => f.ruleId === 'uids.duplicate-sop').map((f) => f.message);
      expect(duplicateOf(items[0]!)).toEqual([expect.stringContaining(fileIdOf(earlier.keyOf.held!))]);
      expect(duplicateOf(items[2]!)).toEqual([expect.stringContaining(fileIdOf(keyOf.twinA!))]);
      // The transaction refused at the held UID and written without it; the two refused files claimed alone, after it.
      expect(made(/^TransactWriteItems \[.*Put QA#SOP\/CLAIM/)).toBe(2);
      expect(made(/^PutItem QA#SOP\/CLAIM$/)).toBe(2);
      expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: 2, quarantinedCount: 0, handledCount: 2 });
      const { qa } = repositories();
      const [, studyUid, seriesUid, sopFile] = items[1]!.ingest!.stage!.releasedKey.split('/') as [string, string, string, string];
      expect(await qa.getSopClaimant(studyUid, seriesUid, sopFile.replace(/\.dcm$/, ''))).toEqual({
        submissionId,
        fileId: fileIdOf(keyOf.twinA!),
      });
    });
  });
});
