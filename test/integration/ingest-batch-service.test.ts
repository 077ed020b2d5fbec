/**
 * IngestBatch's service (layers/services/ingest-batch.ts) on its own, against the local commons' emulators: the
 * test hands it queue records itself (every S3 event is held back), so each test names one thing the batch shares
 * or decides, and what it leaves behind (items, catalog records, objects) says whether it held. The batch path as
 * the pipe drives it is test/integration/ingest-batch-flow.test.ts; its races with other executions,
 * test/integration/quarantine-race.test.ts.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { HilumApi } from '../../cli/lib/api-client';
import type { IntakeRepository as IntakeRepositoryClass } from '../../layers/adapters/aws/dynamodb/intake-repository';
import type { ObjectStore as ObjectStoreClass } from '../../layers/adapters/aws/objects';
import { ConfigurationError } from '../../layers/common/config';
import { SUBMISSION_READY } from '../../layers/pipeline/events';
import type { IngestExecutionState, QueuedObjectRecord } from '../../layers/pipeline/ingest-states';
import type { ingestQueuedObjects as IngestQueuedObjects } from '../../layers/services/ingest-batch';
import type { LocalCommons } from '../../local/commons';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { queuedObjectRecord } from '../support/queued-record';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(60_000);

// The readiness check, counted: the real one runs (delegated), so the announcement is the real claim and event.
jest.mock('../../layers/services/submission-readiness', () => {
  const actual = jest.requireActual<typeof import('../../layers/services/submission-readiness')>(
    '../../layers/services/submission-readiness',
  );
  return { ...actual, announceIfReady: jest.fn(actual.announceIfReady) };
});

const PROJECT = 'batch-service';
const SITE = 'site-batch-service';
const MiB = 1024 * 1024;

describe('IngestBatch: the objects of one queue batch', () => {
  let fixture: SiteCommons;
  let commons: LocalCommons;
  let s3: S3Client;
  let site: HilumApi;
  let exists: SiteCommons['exists'];
  let ingestQueuedObjects: typeof IngestQueuedObjects;
  let IntakeRepository: typeof IntakeRepositoryClass;
  let ObjectStore: typeof ObjectStoreClass;
  let readiness: { announceIfReady: jest.Mock };
  let studies = 0;

  beforeAll(async () => {
    fixture = await startSiteCommons({
      name: 'batch-service',
      project: PROJECT,
      site: SITE,
      handlerLogLevel: 'SILENT',
      log: () => undefined,
      // The test is the queue: no object event reaches a workflow, and no announcement starts the submission workflow
      // (a dropped event is still listed by commons.events()).
      dropEvent: (event) => event.source === 'aws.s3' || event['detail-type'] === SUBMISSION_READY,
    });
    ({ commons, s3, site, exists } = fixture);
    // Required once the commons set the functions' variables (the handlers' log level included), as a handler is.
    /* eslint-disable @typescript-eslint/no-require-imports */
    ({ ingestQueuedObjects } = require('../../layers/services/ingest-batch') as typeof import('../../layers/services/ingest-batch'));
    ({ IntakeRepository } =
      require('../../layers/adapters/aws/dynamodb/intake-repository') as typeof import('../../layers/adapters/aws/dynamodb/intake-repository'));
    ({ ObjectStore } = require('../../layers/adapters/aws/objects') as typeof import('../../layers/adapters/aws/objects'));
    readiness = require('../../layers/services/submission-readiness') as { announceIfReady: jest.Mock };
    /* eslint-enable @typescript-eslint/no-require-imports */
  });

  afterEach(() => {
    jest.restoreAllMocks();
    readiness.announceIfReady.mockClear();
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  /** An SQS record of the pipe whose body is the Object Created event of `key`. */
  const record = (key: string, messageId?: string, bucket = commons.buckets.intake): QueuedObjectRecord =>
    queuedObjectRecord(bucket, key, messageId);

  /**
   * A submission of `slices` CT slices of a new series (`slice0`...) and `extra` files, uploaded through their
   * presigned URLs; a file of `oversized` is announced at that size and stored as it is (put past the URL).
   */
  const submission = async (slices: number, extra: Record<string, Uint8Array> = {}, oversized: Record<string, number> = {}) => {
    const studyInstanceUid = `2.25.4242${process.pid}${++studies}`;
    const series = makeSeries(slices, {
      modality: 'CT',
      rows: 32,
      columns: 32,
      studyInstanceUid,
      seriesInstanceUid: `${studyInstanceUid}.1`,
    });
    const files: Record<string, Uint8Array> = { ...Object.fromEntries(series.map((bytes, i) => [`slice${i}`, bytes])), ...extra };
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const names = Object.keys(files);
    const { uploads } = await site.requestUploads(
      submissionId,
      names.map((name) => ({ name, size: oversized[name] ?? files[name]!.byteLength })),
    );
    const keyOf = Object.fromEntries(names.map((name, i) => [name, `intake/${submissionId}/${uploads[i]!.fileId}`]));
    for (const [i, name] of names.entries()) {
      if (oversized[name] !== undefined) {
        await s3.send(new PutObjectCommand({ Bucket: commons.buckets.intake, Key: keyOf[name], Body: files[name] }));
      } else {
        expect((await fetch(uploads[i]!.url!, { method: 'PUT', body: files[name] })).status).toBe(200);
      }
    }
    return { submissionId, keyOf };
  };

  /** Each item's outcome, or its file error's name. */
  const answers = (items: readonly IngestExecutionState[]) => items.map((i) => i.ingest?.outcome ?? i.error?.Error);

  const counts = async (submissionId: string) => {
    const { stagedCount, quarantinedCount, fileCount } = await site.getSubmission(submissionId);
    return { fileCount, stagedCount, quarantinedCount };
  };

  /** The released objects of a submission's staged files (each staged file's study, listed once). */
  const releasedOf = async (submissionId: string) => {
    const staged = (await site.getSubmission(submissionId)).files.filter((f) => f.status === 'staged') as { studyUid?: string }[];
    const studyUids = [...new Set(staged.map((f) => f.studyUid))];
    const listed = await Promise.all(
      studyUids.map(
        async (studyUid) =>
          (await s3.send(new ListObjectsV2Command({ Bucket: commons.buckets.released, Prefix: `studies/${studyUid}/` }))).Contents ?? [],
      ),
    );
    return listed.flat();
  };

  const inIntake = async (keys: readonly string[]) => Promise.all(keys.map((key) => exists(commons.buckets.intake, key)));

  it('reads every file and QA configuration with one request, and records each submission in its own staging transaction', async () => {
    const one = await submission(3);
    const two = await submission(2);
    const lookUps = jest.spyOn(IntakeRepository.prototype, 'getFilesAndQaConfigs');
    const readAlone = [jest.spyOn(IntakeRepository.prototype, 'getFile'), jest.spyOn(IntakeRepository.prototype, 'getFileAndQaConfig')];
    const claims = jest.spyOn(IntakeRepository.prototype, 'readClaims');
    const together = jest.spyOn(IntakeRepository.prototype, 'recordStagedTogether');

    // The two submissions' records interleaved, as one queue batch may hold them.
    const keys = [one.keyOf.slice0!, two.keyOf.slice0!, one.keyOf.slice1!, two.keyOf.slice1!, one.keyOf.slice2!];
    const items = await ingestQueuedObjects(keys.map((key) => record(key)));

    expect(answers(items)).toEqual(Array(5).fill('staged'));
    expect(items.map((i) => i.detail.object.key)).toEqual(keys);
    expect(items.map((i) => i.ingest?.submissionId)).toEqual([
      one.submissionId,
      two.submissionId,
      one.submissionId,
      two.submissionId,
      one.submissionId,
    ]);
    // One read of the five files (and the project's configuration), none file by file; the claims of the group read once.
    expect(lookUps).toHaveBeenCalledTimes(1);
    expect(lookUps.mock.calls[0]![0]).toHaveLength(5);
    for (const spy of readAlone) expect(spy).not.toHaveBeenCalled();
    expect(claims).toHaveBeenCalledTimes(1);
    expect(claims.mock.calls[0]![0]).toHaveLength(5);
    // One transaction per submission, each with that submission's files only.
    const transactions = together.mock.calls.map(([stagings]) => stagings.map(([file]) => file.submissionId));
    expect(transactions.map((ids) => [...new Set(ids)])).toEqual(expect.arrayContaining([[one.submissionId], [two.submissionId]]));
    expect(transactions.map((ids) => ids.length).sort()).toEqual([2, 3]);
    expect(await counts(one.submissionId)).toEqual({ fileCount: 3, stagedCount: 3, quarantinedCount: 0 });
    expect(await counts(two.submissionId)).toEqual({ fileCount: 2, stagedCount: 2, quarantinedCount: 0 });
    expect(await releasedOf(one.submissionId)).toHaveLength(3);
    expect(await releasedOf(two.submissionId)).toHaveLength(2);
    expect(await inIntake(keys)).toEqual(Array(5).fill(false));
  });

  it("answers a file's error as its item, as the per-object Catch holds it, and stages the other objects", async () => {
    const { submissionId, keyOf } = await submission(2, { corrupt: new TextEncoder().encode('not a DICOM file, only text') });
    const unannounced = `intake/${submissionId}/never-announced`;

    const items = await ingestQueuedObjects([record(keyOf.slice0!), record(keyOf.corrupt!), record(unannounced), record(keyOf.slice1!)]);

    expect(answers(items)).toEqual(['staged', 'DicomParseError', 'UnknownUpload', 'staged']);
    expect(items[1]!.detail.object.key).toBe(keyOf.corrupt);
    expect(JSON.parse(items[1]!.error!.Cause ?? '')).toEqual({ errorType: 'DicomParseError', errorMessage: expect.any(String) });
    // The item only answers: the failed file stays announced in intake for Quarantine to move.
    expect(await counts(submissionId)).toEqual({ fileCount: 3, stagedCount: 2, quarantinedCount: 0 });
    expect(await inIntake([keyOf.slice0!, keyOf.corrupt!, keyOf.slice1!])).toEqual([false, true, false]);
  });

  it.each([
    [
      'a retryable S3 answer',
      () => Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }),
      'TransientError',
    ],
    ['a missing configuration', () => new ConfigurationError('injected: a variable is missing'), 'ConfigurationError'],
  ])('fails the whole batch on %s for one object: nothing of the batch is staged or deleted', async (_, fault, name) => {
    const { submissionId, keyOf } = await submission(3);
    const keys = Object.values(keyOf);
    // At the S3 client, after its own retries: the second object's GET fails, whichever call of the object store makes it.
    const send = S3Client.prototype.send as (this: S3Client, command: unknown) => Promise<unknown>;
    jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, command: unknown) {
      if (command instanceof GetObjectCommand && command.input.Key === keyOf.slice1) return Promise.reject(fault());
      return send.call(this, command);
    } as never);

    await expect(ingestQueuedObjects(keys.map((key) => record(key)))).rejects.toMatchObject({ name });

    expect(await counts(submissionId)).toEqual({ fileCount: 3, stagedCount: 0, quarantinedCount: 0 });
    expect(await inIntake(keys)).toEqual([true, true, true]);
    expect(await releasedOf(submissionId)).toEqual([]);
  });

  it('ingests an object named twice in a batch once: its second record answers as a repeat would', async () => {
    const { submissionId, keyOf } = await submission(2, { corrupt: new TextEncoder().encode('not a DICOM file, only text') });

    const items = await ingestQueuedObjects([
      record(keyOf.slice0!),
      record(keyOf.corrupt!),
      record(keyOf.slice0!, 'again'),
      record(keyOf.slice1!),
      record(keyOf.corrupt!, 'corrupt-again'),
    ]);

    expect(answers(items)).toEqual(['staged', 'DicomParseError', 'already-handled', 'staged', 'DicomParseError']);
    expect(items[2]!.ingest).toEqual({ outcome: 'already-handled', submissionId, fileId: keyOf.slice0!.split('/')[2] });
    expect(items[4]!.error).toEqual(items[1]!.error);
    expect(await counts(submissionId)).toEqual({ fileCount: 3, stagedCount: 2, quarantinedCount: 0 });
    expect(await releasedOf(submissionId)).toHaveLength(2);
  });

  it('answers a record that names no intake object with an item of its own, which Quarantine moves nothing for', async () => {
    const { submissionId, keyOf } = await submission(1);
    // An object of another bucket under an intake-shaped key: neither the batch nor Quarantine may touch it.
    const decoy = `intake/${submissionId}/${keyOf.slice0!.split('/')[2]}`;
    await s3.send(new PutObjectCommand({ Bucket: commons.buckets.released, Key: decoy, Body: 'decoy' }));
    const quarantined = async () =>
      (await s3.send(new ListObjectsV2Command({ Bucket: commons.buckets.quarantine }))).Contents?.map((o) => o.Key) ?? [];
    const before = await quarantined();

    const items = await ingestQueuedObjects([
      { messageId: 'not-json', body: '{"detail": ' },
      { messageId: 'not-an-event', body: JSON.stringify({ detail: { bucket: { name: commons.buckets.intake } } }) },
      record(decoy, 'other/bucket..1', commons.buckets.released),
      record(keyOf.slice0!),
    ]);

    expect(answers(items)).toEqual(['InvalidTaskInput', 'InvalidTaskInput', 'InvalidTaskInput', 'staged']);
    // Each names a key under unreadable-record/ in intake (the message id, cut to a key's safe alphabet), never the decoy.
    expect(items.slice(0, 3).map((i) => [i.detail.bucket.name, i.detail.object.key])).toEqual([
      [commons.buckets.intake, 'unreadable-record/not-json'],
      [commons.buckets.intake, 'unreadable-record/not-an-event'],
      [commons.buckets.intake, 'unreadable-record/other_bucket__1'],
    ]);
    // Quarantine records each as an unannounced object that was missing: a sidecar with the reason, no object copied or moved.
    for (const item of items.slice(0, 3)) await commons.invoke('Quarantine', item);
    expect((await quarantined()).filter((key) => !before.includes(key)).sort()).toEqual([
      'quarantine/unannounced/unreadable-record/not-an-event.json',
      'quarantine/unannounced/unreadable-record/not-json.json',
      'quarantine/unannounced/unreadable-record/other_bucket__1.json',
    ]);
    expect(await exists(commons.buckets.released, decoy)).toBe(true);
    expect(await counts(submissionId)).toEqual({ fileCount: 1, stagedCount: 1, quarantinedCount: 0 });
  });

  it("records each file on its own when its submission's staging transaction is cancelled, and counts each once", async () => {
    const { submissionId, keyOf } = await submission(3);
    const keys = Object.values(keyOf);
    const together = IntakeRepository.prototype.recordStagedTogether;
    // Another attempt records the second file just before the batch's transaction, which is then cancelled.
    const transaction = jest.spyOn(IntakeRepository.prototype, 'recordStagedTogether').mockImplementationOnce(async function (
      this: IntakeRepositoryClass,
      stagings,
    ) {
      expect(await this.recordStaged(...stagings[1]!)).toBe(true);
      return together.call(this, stagings);
    });
    const alone = jest.spyOn(IntakeRepository.prototype, 'recordStaged');

    const items = await ingestQueuedObjects(keys.map((key) => record(key)));

    expect(transaction).toHaveBeenCalledTimes(1);
    expect(await transaction.mock.results[0]!.value).toBe(false);
    // The other attempt's write, then each of the three files on its own (the second finds its outcome recorded).
    expect(alone).toHaveBeenCalledTimes(4);
    expect(answers(items)).toEqual(['staged', 'staged', 'staged']);
    expect(await counts(submissionId)).toEqual({ fileCount: 3, stagedCount: 3, quarantinedCount: 0 });
    expect((await site.getSubmission(submissionId)).files.map((f) => f.status)).toEqual(['staged', 'staged', 'staged']);
    expect(await releasedOf(submissionId)).toHaveLength(3);
    expect(await inIntake(keys)).toEqual([false, false, false]);
  });

  it('stages the copies gathered so far before an object whose announced size would take the group past 200 MiB', async () => {
    // Announced at 201 MiB: the group before it is staged (its claims read) first; stored small, it is then a size mismatch.
    const { submissionId, keyOf } = await submission(
      4,
      { large: makeSeries(1, { modality: 'CT', rows: 32, columns: 32 })[0]! },
      { large: 201 * MiB },
    );
    const claims = jest.spyOn(IntakeRepository.prototype, 'readClaims');

    const items = await ingestQueuedObjects(
      [keyOf.slice0!, keyOf.slice1!, keyOf.large!, keyOf.slice2!, keyOf.slice3!].map((key) => record(key)),
    );

    expect(answers(items)).toEqual(['staged', 'staged', 'SizeMismatch', 'staged', 'staged']);
    expect(claims.mock.calls.map(([instances]) => instances.length)).toEqual([2, 2]);
    expect(await counts(submissionId)).toEqual({ fileCount: 5, stagedCount: 4, quarantinedCount: 0 });
  });

  it("deletes the staged originals with one request and checks each submission's readiness once, after its last staging", async () => {
    const one = await submission(3);
    const two = await submission(2);
    // Sealed before their files are ingested: the batch's readiness check is what announces them.
    for (const { submissionId } of [one, two]) expect(await site.completeSubmission(submissionId)).toMatchObject({ status: 'sealed' });
    readiness.announceIfReady.mockClear();
    const deleteMany = jest.spyOn(ObjectStore.prototype, 'deleteMany');
    const deleteOne = jest.spyOn(ObjectStore.prototype, 'delete');
    const keys = [one.keyOf.slice0!, two.keyOf.slice0!, one.keyOf.slice1!, two.keyOf.slice1!, one.keyOf.slice2!];

    const items = await ingestQueuedObjects(keys.map((key) => record(key)));

    expect(answers(items)).toEqual(Array(5).fill('staged'));
    expect(deleteMany.mock.calls.map(([bucket, deleted]) => [bucket, [...deleted].sort()])).toEqual([
      [commons.buckets.intake, [...keys].sort()],
    ]);
    expect(deleteOne).not.toHaveBeenCalled();
    expect(await inIntake(keys)).toEqual(Array(5).fill(false));
    expect(readiness.announceIfReady.mock.calls.map(([id]) => id as string).sort()).toEqual([one.submissionId, two.submissionId].sort());
    // Checked after the submission's last staging: each is announced, once.
    const announced = commons
      .events()
      .filter((e) => e.event['detail-type'] === SUBMISSION_READY)
      .map((e) => (e.event.detail as { submissionId: string }).submissionId);
    expect(announced.filter((id) => id === one.submissionId || id === two.submissionId).sort()).toEqual(
      [one.submissionId, two.submissionId].sort(),
    );
  });
});
