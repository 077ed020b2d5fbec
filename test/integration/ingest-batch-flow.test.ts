/**
 * Issue 21: small intake objects are ingested in batches (S3 event -> rule -> SQS queue -> EventBridge Pipe ->
 * the Express `ingest-batch` workflow: IngestBatch, then a Map routing each object). Through the local
 * commons' queue and pipe, read from the same template as AWS: a batch in which some objects fail (not DICOM,
 * out of the project's scope, a second file with one SOP Instance UID, an object of another size than its
 * announced one) ends every object in exactly one end state, publishes nothing twice and makes the
 * submission ready exactly once; and a batch whose IngestBatch fails with a platform error is ingested object
 * by object by the fallback Map.
 */
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { HilumApi } from '../../cli/lib/api-client';
import { FUNCTIONS } from '../../functions/registry';
import type { LocalCommons } from '../../local/commons';
import { intakeEventHold, loaderWrapping } from '../support/handler-loaders';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { failingFilesOf } from '../support/failing-files';
import { makeDicom, makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(60_000);

const PROJECT = 'batch-flow';
const SITE = 'site-batch';

/** While set, IngestBatch cannot load (a broken deployment): Step Functions sees Runtime.ImportModuleError. */
let ingestBatchBroken = false;

/** Takes the intake objects' S3 events off the bus while submit collects them (it puts them back together). */
const hold = intakeEventHold();

const loadHandler = loaderWrapping(FUNCTIONS.ingestBatch.id, (handler) => (event, context) => {
  if (ingestBatchBroken) throw Object.assign(new Error('injected: the module cannot load'), { name: 'Runtime.ImportModuleError' });
  return handler(event, context);
});

describe('the batch ingest path', () => {
  let fixture: SiteCommons;
  let commons: LocalCommons;
  let s3: S3Client;
  let site: HilumApi;
  let exists: SiteCommons['exists'];
  const logged: string[] = [];

  beforeAll(async () => {
    fixture = await startSiteCommons({
      name: 'batch-flow',
      project: PROJECT,
      site: SITE,
      handlerLogLevel: 'ERROR',
      retryIntervalMs: 5,
      dropEvent: hold.dropEvent,
      log: (line) => logged.push(line),
      loadHandler,
    });
    ({ commons, s3, site, exists } = fixture);
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  const batchExecutions = () => commons.executions().filter((e) => e.workflow === 'ingest-batch');
  const recordsOf = (input: unknown) => input as { body: string }[];
  const keysOf = (input: unknown) =>
    recordsOf(input).map((r) => (JSON.parse(r.body) as { detail: { object: { key: string } } }).detail.object.key);

  /**
   * Announces `files`, uploads them (those named in `direct` straight to S3 with other bytes), waits for the commons.
   * The uploads' S3 events are held back and then put on the bus together, so the queue holds all of them at once and
   * the pipe hands them on in one batch, as a submission's uploads gather under load, however the test's PUTs are
   * spread: rather than a batching window long enough for that (400 ms) waited for every batch.
   */
  const submit = async (files: Record<string, Uint8Array>, direct: Record<string, Uint8Array> = {}) => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const names = Object.keys(files);
    const { uploads } = await site.requestUploads(
      submissionId,
      names.map((name) => ({ name, size: files[name]!.byteLength })),
    );
    const keyOf = Object.fromEntries(names.map((name, i) => [name, `intake/${submissionId}/${uploads[i]!.fileId}`]));
    const collecting = hold.collect(names.length);
    let held;
    try {
      await Promise.all(
        names.map(async (name, i) => {
          if (direct[name]) {
            await s3.send(new PutObjectCommand({ Bucket: commons.buckets.intake, Key: keyOf[name], Body: direct[name] }));
            return;
          }
          expect((await fetch(uploads[i]!.url!, { method: 'PUT', body: files[name] })).status).toBe(200);
        }),
      );
      // A PUT's answer may reach the test before its event reaches the bus.
      held = await collecting.events;
    } finally {
      collecting.stop();
    }
    for (const event of held) commons.putEvent(event);
    await commons.idle();
    return { submissionId, keyOf, nameOf: Object.fromEntries(names.map((name, i) => [uploads[i]!.fileId, name])) };
  };

  /** Each file's end: staged (out of intake and quarantine), quarantined with its code (in quarantine only), or what else it is. */
  const endsOf = async (submissionId: string, nameOf: Record<string, string>) => {
    const submission = await site.getSubmission(submissionId);
    const ends: Record<string, string> = {};
    for (const f of submission.files) {
      const [inIntake, inQuarantine] = await Promise.all([
        exists(commons.buckets.intake, `intake/${submissionId}/${f.fileId}`),
        exists(commons.buckets.quarantine, `quarantine/${submissionId}/${f.fileId}`),
      ]);
      const end =
        f.status === 'staged' && !inIntake && !inQuarantine
          ? 'staged'
          : f.status === 'quarantined' && !inIntake && inQuarantine
            ? `quarantined ${f.reasonCode}`
            : `${f.status}, intake ${inIntake}, quarantine ${inQuarantine}`;
      ends[nameOf[f.fileId]!] = end;
    }
    return { submission, ends };
  };

  const releasedUnder = async (studyUid: string) =>
    (await s3.send(new ListObjectsV2Command({ Bucket: commons.buckets.released, Prefix: `studies/${studyUid}/` }))).Contents ?? [];

  it('ends every object of a partly failing batch in exactly one end state, publishing nothing twice', async () => {
    const uids = { studyInstanceUid: '2.25.2121500', seriesInstanceUid: '2.25.2121501' };
    const series = makeSeries(4, { modality: 'CT', rows: 32, columns: 32, ...uids });
    const files: Record<string, Uint8Array> = {
      clean1: series[0]!,
      clean2: series[1]!,
      clean3: series[2]!,
      clean4: series[3]!,
      ...failingFilesOf(uids),
      // Announced at one size, stored at another (put past the presigned URL, which signs the size).
      wrongSize: makeDicom({ modality: 'CT', rows: 32, columns: 32, instanceNumber: 8, ...uids }),
    };
    const { submissionId, keyOf, nameOf } = await submit(files, {
      wrongSize: makeDicom({ modality: 'CT', rows: 48, columns: 48, instanceNumber: 8, ...uids }),
    });

    // The eight events went through the queue and the pipe: one batch execution with every record.
    const runs = batchExecutions().filter((e) => keysOf(e.input).some((k) => k.startsWith(`intake/${submissionId}/`)));
    expect(runs).toHaveLength(1);
    expect(runs.flatMap((e) => keysOf(e.input)).sort()).toEqual(Object.values(keyOf).sort());
    expect(recordsOf(runs[0]!.input)[0]).toMatchObject({ eventSource: 'aws:sqs', attributes: { ApproximateReceiveCount: '1' } });
    expect(runs.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
    expect(commons.executions().filter((e) => e.workflow === 'ingest' || e.workflow === 'ingest-large')).toEqual([]);

    const { ends } = await endsOf(submissionId, nameOf);
    const [first, second] = ends.clean1 === 'staged' ? ['clean1', 'duplicateSop'] : ['duplicateSop', 'clean1'];
    expect(ends).toEqual({
      clean2: 'staged',
      clean3: 'staged',
      clean4: 'staged',
      [first]: 'staged',
      [second]: 'quarantined uids.duplicate-sop',
      corrupt: 'quarantined DicomParseError',
      outOfScope: 'quarantined scope.modality',
      wrongSize: 'quarantined SizeMismatch',
    });

    // At least once: every event delivered again changes nothing.
    for (const run of runs) for (const record of recordsOf(run.input)) commons.putEvent(JSON.parse(record.body));
    await commons.idle();
    expect((await endsOf(submissionId, nameOf)).ends).toEqual(ends);

    // Ready exactly once it is sealed and every file has its outcome; one study, one released object per staged file.
    await site.completeSubmission(submissionId);
    await commons.idle();
    const published = await site.getSubmission(submissionId);
    expect(published).toMatchObject({ status: 'published', fileCount: 8, stagedCount: 4, quarantinedCount: 4 });
    const submissionRuns = commons
      .executions()
      .filter((e) => e.workflow === 'submission' && JSON.stringify(e.input).includes(submissionId));
    expect(submissionRuns).toHaveLength(1);
    const studyUids = new Set(published.files.filter((f) => f.status === 'staged').map((f) => (f as { studyUid?: string }).studyUid));
    expect(studyUids.size).toBe(1);
    expect(await releasedUnder([...studyUids][0]!)).toHaveLength(4);
  });

  it('ingests each object on its own when IngestBatch fails with a platform error', async () => {
    const uids = { studyInstanceUid: '2.25.2121600', seriesInstanceUid: '2.25.2121601' };
    const series = makeSeries(3, { modality: 'CT', rows: 32, columns: 32, ...uids });
    ingestBatchBroken = true;
    let submitted: Awaited<ReturnType<typeof submit>>;
    try {
      submitted = await submit({ a: series[0]!, b: series[1]!, c: series[2]!, corrupt: new TextEncoder().encode('plain text') });
    } finally {
      ingestBatchBroken = false;
    }
    const { submissionId, nameOf, keyOf } = submitted;
    const runs = batchExecutions().filter((e) => keysOf(e.input).some((k) => k.startsWith(`intake/${submissionId}/`)));
    expect(runs).toHaveLength(1);
    expect(runs.flatMap((e) => keysOf(e.input)).sort()).toEqual(Object.values(keyOf).sort());
    for (const run of runs) {
      expect(run.status).toBe('SUCCEEDED');
      const states = run.history.filter((h) => h.event === 'entered').map((h) => h.state);
      expect(states).toContain('PerObjectFallback');
      expect(states).not.toContain('Objects');
    }
    const { submission, ends } = await endsOf(submissionId, nameOf);
    expect(ends).toEqual({ a: 'staged', b: 'staged', c: 'staged', corrupt: 'quarantined DicomParseError' });
    const studyUid = (submission.files.find((f) => f.status === 'staged') as { studyUid?: string }).studyUid!;
    expect(await releasedUnder(studyUid)).toHaveLength(3);
  });
});
