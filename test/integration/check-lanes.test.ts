/**
 * The offline check (`hilum qa`, `hilum upload`'s check) spread over the main thread and worker threads
 * (cli/lib/check-lanes.ts) gives the serial check's report, and fails loudly when a worker dies.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFiles } from '../../cli/commands/qa';
import { checkInLanes, workersPay } from '../../cli/lib/check-lanes';
import { scanFilesSync } from '../../cli/lib/scan-files';
import { DEFAULT_PROFILE } from '../../layers/dicom';
import { DEFAULT_QA_CONFIG, type QaReport } from '../../layers/qa';
import { makeDicom, makeSeries } from '../support/synthetic-dicom';
import { CT_RESCALE } from '../unit/qa/support';

const FIXTURES = join(__dirname, '../fixtures/dicom');
const SERIES = '1.2.826.0.1.3680043.8.498.5252.2';
const fixture = (path: string) => new Uint8Array(readFileSync(join(FIXTURES, path)));

describe('the offline check over lanes', () => {
  const root = mkdtempSync(join(tmpdir(), 'hilum-check-lanes-'));
  const folder = join(root, 'export');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    const series = makeSeries(4, { seriesInstanceUid: SERIES, elements: CT_RESCALE });
    const files: Record<string, Uint8Array> = {
      'ct/1.dcm': series[0]!,
      'ct/2.dcm': series[1]!,
      'ct/3.dcm': series[2]!,
      'ct/4.dcm': series[3]!,
      // The SOP Instance UID of ct/1.dcm with other bytes: a conflicting duplicate (the later file is flagged).
      'ct/9-copy.dcm': makeDicom({
        seriesInstanceUid: SERIES,
        elements: CT_RESCALE,
        instanceNumber: 1,
        sopInstanceUid: `${SERIES}.1`,
        rows: 8,
        columns: 8,
      }),
      // ct/2.dcm's bytes again: the same SOP Instance UID with the same bytes.
      'ct/2-again.dcm': series[1]!,
      // ct/3.dcm's pixels under another SOP Instance UID: pixel.duplicate.
      'ct/7-pixels.dcm': makeDicom({ seriesInstanceUid: SERIES, elements: CT_RESCALE, instanceNumber: 3, sopInstanceUid: `${SERIES}.77` }),
      'mr.dcm': fixture('transfer-syntax/MR_small.dcm'),
      // At-risk images: one that declares burned-in text, one that declares nothing (the ink check reads it).
      'burned.dcm': fixture('patient-77654033/cr-cspine/CR1_6154_burned_in_annotation_flag.dcm'),
      'cr.dcm': fixture('patient-77654033/cr-cspine/CR1_6154.dcm'),
      'truncated.dcm': fixture('malformed/MR_truncated.dcm'),
      // Not DICOM at all: upload skips it, but the check of a file list takes what it is given.
      'notes.txt': Buffer.from('not an image'),
    };
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(join(folder, name, '..'), { recursive: true });
      writeFileSync(join(folder, name), bytes);
    }
  });

  const withoutTime = (report: QaReport) => ({ ...report, generatedAt: '' });

  it('gives the serial check’s report, studies and progress when the files are spread over three lanes', async () => {
    const files = scanFilesSync(folder);
    const serialStudies: Array<string | undefined> = [];
    const serial = await checkFiles(files, {
      config: DEFAULT_QA_CONFIG,
      profile: DEFAULT_PROFILE,
      quiet: true,
      lanes: { jobs: 1 },
      onStudy: (uid) => serialStudies.push(uid),
    });
    const laneStudies: Array<string | undefined> = [];
    const lanes = await checkFiles(files, {
      config: DEFAULT_QA_CONFIG,
      profile: DEFAULT_PROFILE,
      quiet: true,
      // Every lane takes part, however small the folder.
      lanes: { jobs: 3, soloBatchMs: 0, workersFirst: true },
      onStudy: (uid) => laneStudies.push(uid),
    });
    expect(withoutTime(lanes)).toEqual(withoutTime(serial));
    expect(laneStudies).toEqual(serialStudies);
    // The folder has what the comparison is about.
    const rules = Object.fromEntries(serial.quarantined.map((q) => [q.fileId, q.rules]));
    expect(rules).toMatchObject({
      'burned.dcm': ['deid.pixel-review'],
      'ct/9-copy.dcm': ['uids.duplicate-sop'],
      'notes.txt': ['dicom.parses'],
      'truncated.dcm': ['dicom.parses'],
    });
    expect(serial.warnings.map((w) => [w.fileId, w.ruleId])).toContainEqual(['ct/7-pixels.dcm', 'pixel.duplicate']);
    expect(serial.counts.files).toBe(files.length);
  }, 60_000);

  it('tells each file once as it is checked, on every lane', async () => {
    const files = scanFilesSync(folder);
    const told: number[] = [];
    const checked = await checkInLanes(
      files,
      { config: DEFAULT_QA_CONFIG, key: { secret: 'x'.repeat(64), project: 'p', site: 's', profile: DEFAULT_PROFILE } },
      { jobs: 2, soloBatchMs: 0, workersFirst: true, onChecked: (i) => told.push(i) },
    );
    expect(told.sort((a, b) => a - b)).toEqual(files.map((_, i) => i));
    expect(checked.map((c) => c.findings[0]?.fileId ?? c.facts?.header.fileId)).toEqual(files.map((f) => f.relativePath));
  }, 60_000);

  it('starts workers only when the main thread’s pace after its warm-up says the rest would take it over a second alone', () => {
    const MB = 1024 * 1024;
    // 50 radiographs of 10 MB at 55 ms each after the cold first one: 48 left, 2.6 s.
    expect(workersPay(55, 10 * MB, 480 * MB)).toBe(true);
    // 16 radiographs: 14 left, 0.77 s: less than what a worker costs pays back.
    expect(workersPay(55, 10 * MB, 140 * MB)).toBe(false);
    // 300 CT slices of 0.5 MB at 1.8 ms each: 0.48 s left after the measure.
    expect(workersPay(50, 14 * MB, 133 * MB)).toBe(false);
    // 1,000 CT slices: 1.7 s left.
    expect(workersPay(50, 14 * MB, 475 * MB)).toBe(true);
    // Less than 50 ms of the main thread's CPU measured: nothing is projected.
    expect(workersPay(30, 0.5 * MB, 475 * MB)).toBe(false);
  });

  it('ends with an error, not a hang, when a worker dies with files in its hands', async () => {
    const dying = join(root, 'dying-worker.js');
    writeFileSync(
      dying,
      `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.type === 'setup') parentPort.postMessage({ type: 'results', results: [], wantsMore: true });
  else process.exit(7);
});
`,
    );
    const files = scanFilesSync(folder);
    await expect(
      checkFiles(files, {
        config: DEFAULT_QA_CONFIG,
        quiet: true,
        lanes: { jobs: 2, soloBatchMs: 0, workersFirst: true, workerEntry: dying },
      }),
    ).rejects.toThrow('a check worker stopped (exit code 7)');
  }, 60_000);

  it('ends with the abort reason, its workers stopped, once told to (hilum upload --force whose upload failed)', async () => {
    // A worker that takes files and never answers: without the abort the check would never end.
    const stuck = join(root, 'stuck-worker.js');
    writeFileSync(
      stuck,
      `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.type === 'setup') parentPort.postMessage({ type: 'results', results: [], wantsMore: true });
});
`,
    );
    const files = scanFilesSync(folder);
    const setup = { config: DEFAULT_QA_CONFIG, key: { secret: 'x'.repeat(64), project: 'p', site: 's', profile: DEFAULT_PROFILE } };
    const stop = new AbortController();
    const reason = new Error('the upload failed');
    const told: number[] = [];
    const check = checkInLanes(files, setup, {
      jobs: 2,
      besideTheMainThread: true,
      workerEntry: stuck,
      signal: stop.signal,
      onChecked: (i) => told.push(i),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop.abort(reason);
    await expect(check).rejects.toBe(reason);
    expect(told).toEqual([]);
    // Aborted before it starts: no file is checked, on the main thread either.
    await expect(checkInLanes(files, setup, { jobs: 1, signal: stop.signal, onChecked: (i) => told.push(i) })).rejects.toBe(reason);
    expect(told).toEqual([]);
  }, 60_000);

  it('beside the main thread (hilum upload --force): the serial report from a worker, or from the main thread if none can start', async () => {
    const files = scanFilesSync(folder);
    const serial = await checkFiles(files, { config: DEFAULT_QA_CONFIG, quiet: true, lanes: { jobs: 1 } });
    const beside = await checkFiles(files, { config: DEFAULT_QA_CONFIG, quiet: true, lanes: { jobs: 2, besideTheMainThread: true } });
    const comparable = withoutTime;
    expect(comparable(beside)).toEqual(comparable(serial));

    const broken = join(root, 'broken-beside.js');
    writeFileSync(broken, "throw new Error('this thread cannot start');\n");
    const alone = await checkFiles(files, {
      config: DEFAULT_QA_CONFIG,
      quiet: true,
      lanes: { jobs: 2, besideTheMainThread: true, workerEntry: broken },
    });
    expect(comparable(alone)).toEqual(comparable(serial));
  }, 60_000);

  it('goes on with the main thread alone when its workers cannot start', async () => {
    const broken = join(root, 'broken-worker.js');
    writeFileSync(broken, "throw new Error('this thread cannot start');\n");
    const files = scanFilesSync(folder);
    const report = await checkFiles(files, {
      config: DEFAULT_QA_CONFIG,
      quiet: true,
      lanes: { jobs: 3, soloBatchMs: 0, workersFirst: true, workerEntry: broken },
    });
    expect(report.counts.files).toBe(files.length);
  }, 60_000);
});
