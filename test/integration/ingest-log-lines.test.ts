/**
 * What an ingested object writes to its function's log at INFO, which CloudWatch Logs bills by the byte: one
 * `ingested` line at its outcome (staged, or held by QA) with what an operator needs (ids, modality, transfer
 * syntax, bytes, profile, de-identification actions, QA outcome and rule ids, warnings), never a value the file
 * carried beyond those two codes, and none of the per-step lines it replaced; each record without the keys that
 * repeat what the log group says. Through the batch path (queue, pipe, IngestBatch) and IngestObject alone.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { HilumApi } from '../../cli/lib/api-client';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { failingFilesOf } from '../support/failing-files';
import { makeDicom, makeSeries, SYNTHETIC_PHI } from '../support/synthetic-dicom';

jest.setTimeout(60_000);

const PROJECT = 'log-lines';
const SITE = 'site-log-lines';
/** Original UIDs: identifiers the de-identification remaps, so no line may carry them either. */
const UIDS = { studyInstanceUid: '2.25.7316029184', seriesInstanceUid: '2.25.7316029185' };

type Record_ = { level: string; message: string } & Record<string, unknown>;

describe('the log lines of ingested objects', () => {
  let fixture: SiteCommons;
  let commons: SiteCommons['commons'];
  let site: HilumApi;
  const records: Record_[] = [];
  const held = new Set<string>();

  beforeAll(async () => {
    // Every record as Powertools would print it (formatted, empty keys removed), kept instead of printed.
    jest
      .spyOn(Logger.prototype as unknown as { printLog(level: number, log: LogItem): void }, 'printLog')
      .mockImplementation((_level, log) => {
        log.prepareForPrint();
        records.push(JSON.parse(JSON.stringify(log.getAttributes())) as Record_);
      });
    fixture = await startSiteCommons({
      name: 'log-lines',
      project: PROJECT,
      site: SITE,
      handlerLogLevel: 'INFO',
      pipeWindowMs: 400,
      log: () => undefined,
      // The per-object case drives IngestObject itself: its object's event starts nothing.
      dropEvent: (event) => held.has(String((event.detail as { object?: { key?: string } } | undefined)?.object?.key)),
    });
    ({ commons, site } = fixture);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await fixture?.stop();
  });

  /** Announces and uploads `files` (their events held when `hold`); their file ids by name and intake keys by name. */
  const submit = async (files: Record<string, Uint8Array>, hold = false) => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const names = Object.keys(files);
    const { uploads } = await site.requestUploads(
      submissionId,
      names.map((name) => ({ name, size: files[name]!.byteLength })),
    );
    const fileIdOf = Object.fromEntries(names.map((name, i) => [name, uploads[i]!.fileId]));
    const keyOf = Object.fromEntries(names.map((name) => [name, `intake/${submissionId}/${fileIdOf[name]}`]));
    if (hold) for (const name of names) held.add(keyOf[name]!);
    await Promise.all(
      names.map(async (name, i) => expect((await fetch(uploads[i]!.url!, { method: 'PUT', body: files[name] })).status).toBe(200)),
    );
    await commons.idle();
    return { submissionId, fileIdOf, keyOf };
  };

  const outcomeLines = (fileId: string) => records.filter((r) => r.message === 'ingested' && r.fileId === fileId);

  /** No record says what a planted value or an original UID was, whatever its level. */
  const expectNoPhi = () => {
    const text = JSON.stringify(records);
    for (const value of [...Object.values(SYNTHETIC_PHI), ...Object.values(UIDS), 'DOE', 'MRN-90210']) expect(text).not.toContain(value);
  };

  it('logs one outcome line per object of a batch, with its facts and no value of the file', async () => {
    const series = makeSeries(3, { modality: 'CT', rows: 32, columns: 32, ...UIDS });
    const { corrupt, outOfScope, duplicateSop } = failingFilesOf(UIDS);
    const files = { a: series[0]!, b: series[1]!, c: series[2]!, outOfScope: outOfScope!, duplicateSop: duplicateSop!, corrupt: corrupt! };
    const { submissionId, fileIdOf } = await submit(files);
    expect(commons.executions().some((e) => e.workflow === 'ingest-batch')).toBe(true);

    for (const name of ['a', 'b', 'c', 'outOfScope', 'duplicateSop']) {
      const lines = outcomeLines(fileIdOf[name]!);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 'INFO',
        submissionId,
        outcome: expect.stringMatching(/^(staged|quarantine)$/),
        modality: name === 'outOfScope' ? 'MR' : 'CT',
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        bytes: files[name as keyof typeof files].byteLength,
        profile: expect.any(String),
        deid: 'ok',
        actions: expect.objectContaining({ pseudonym: 2 }),
        qa: expect.any(String),
        warnings: expect.any(Number),
        function_name: 'hilum-IngestBatch',
        function_request_id: expect.any(String),
      });
    }
    expect(outcomeLines(fileIdOf.outOfScope!)[0]).toMatchObject({
      outcome: 'quarantine',
      qa: 'quarantine',
      rules: expect.arrayContaining(['scope.modality']),
    });
    const duplicates = [...outcomeLines(fileIdOf.a!), ...outcomeLines(fileIdOf.duplicateSop!)];
    expect(duplicates.map((l) => l.outcome).sort()).toEqual(['quarantine', 'staged']);
    expect(duplicates.find((l) => l.outcome === 'quarantine')).toMatchObject({ rules: expect.arrayContaining(['uids.duplicate-sop']) });
    // The file no parser reads has no outcome line of its own: its WARN line, and Quarantine's.
    expect(outcomeLines(fileIdOf.corrupt!)).toEqual([]);
    expect(records.filter((r) => r.level === 'WARN' && r.message === 'quarantined' && r.fileId === fileIdOf.corrupt)).toHaveLength(1);

    // The per-step lines it replaced are gone; the records keep no key the log group already says.
    const steps = ['parsed', 'de-identified', 'qa', 'staged', 'pixel check', 'de-identified at site; kept as received'];
    expect(records.filter((r) => steps.includes(r.message))).toEqual([]);
    for (const key of ['service', 'function_arn', 'function_memory_size', 'sampling_rate'])
      expect(records.filter((r) => key in r).map((r) => r.message)).toEqual([]);
    expectNoPhi();
  });

  it('logs one outcome line for an object IngestObject stages alone', async () => {
    const { submissionId, fileIdOf, keyOf } = await submit(
      { only: makeDicom({ modality: 'CT', rows: 32, columns: 32, instanceNumber: 9, ...UIDS }) },
      true,
    );
    expect(await commons.invoke('IngestObject', { bucket: commons.buckets.intake, key: keyOf.only })).toMatchObject({ outcome: 'staged' });
    const lines = outcomeLines(fileIdOf.only!);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        submissionId,
        outcome: 'staged',
        modality: 'CT',
        deid: 'ok',
        function_name: 'hilum-IngestObject',
      }),
    ]);
    // A repeat (an event delivered again) says it found the file handled, with no second outcome line.
    expect(await commons.invoke('IngestObject', { bucket: commons.buckets.intake, key: keyOf.only })).toMatchObject({
      outcome: 'already-handled',
    });
    expect(outcomeLines(fileIdOf.only!)).toHaveLength(1);
    expectNoPhi();
  });
});
