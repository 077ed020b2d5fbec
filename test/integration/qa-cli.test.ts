/** `hilum qa FOLDER` at a site: the offline rules on original files, the commons' report format, the exit status. */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../cli/main';
import type { QaReport } from '../../layers/qa';
import { makeDicom, makeSeries } from '../support/synthetic-dicom';
import { CT_RESCALE } from '../unit/qa/support';

const FIXTURES = join(__dirname, '../fixtures/dicom');
const SERIES = '1.2.826.0.1.3680043.8.498.5151.2';

describe('hilum qa', () => {
  let dir: string;
  let quiet: jest.SpyInstance;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hilum-qa-cli-'));
    quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    quiet.mockRestore();
    await rm(dir, { recursive: true, force: true });
  });

  async function folder(files: Record<string, Uint8Array>): Promise<string> {
    const root = join(dir, 'export');
    for (const [name, bytes] of Object.entries(files)) {
      await mkdir(join(root, name, '..'), { recursive: true });
      await writeFile(join(root, name), bytes);
    }
    return root;
  }

  it('exits 0 on a clean series and writes the JSON and Markdown reports', async () => {
    const series = makeSeries(3, { seriesInstanceUid: SERIES, elements: CT_RESCALE });
    const root = await folder(Object.fromEntries(series.map((b, i) => [`ct/${i + 1}.dcm`, b])));
    const json = join(dir, 'report.json');
    const md = join(dir, 'report.md');
    expect(await run(['qa', root, '--json', json, '--markdown', md])).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as QaReport;
    expect(report).toMatchObject({ schema: 'hilum.qa-report/1', source: 'offline', counts: { files: 3, pass: 3, quarantine: 0 } });
    expect(await readFile(md, 'utf8')).toContain('# QA report (offline check)');
  });

  it('exits 3 and names each problem file with its rule: unreadable, out of scope, burned-in, conflicting duplicate, gaps; skips what upload skips', async () => {
    const series = makeSeries(3, { seriesInstanceUid: SERIES, elements: CT_RESCALE });
    const root = await folder({
      'ct/1.dcm': series[0]!,
      'ct/2.dcm': series[1]!,
      'ct/5.dcm': makeDicom({ seriesInstanceUid: SERIES, elements: CT_RESCALE, instanceNumber: 5 }),
      'ct/9-copy.dcm': makeDicom({
        seriesInstanceUid: SERIES,
        elements: CT_RESCALE,
        instanceNumber: 1,
        sopInstanceUid: `${SERIES}.1`,
        rows: 8,
        columns: 8,
      }),
      'mr.dcm': new Uint8Array(readFileSync(join(FIXTURES, 'transfer-syntax/MR_small.dcm'))),
      'burned.dcm': new Uint8Array(readFileSync(join(FIXTURES, 'patient-77654033/cr-cspine/CR1_6154_burned_in_annotation_flag.dcm'))),
      'notes.txt': Buffer.from('not an image'),
      'truncated.dcm': new Uint8Array(readFileSync(join(FIXTURES, 'malformed/MR_truncated.dcm'))),
    });
    const json = join(dir, 'report.json');
    expect(await run(['qa', root, '--json', json])).toBe(3);
    const report = JSON.parse(await readFile(json, 'utf8')) as QaReport;
    const rules = Object.fromEntries(report.quarantined.map((q) => [q.fileId, q.rules]));
    expect(rules).toEqual({
      'burned.dcm': ['deid.pixel-review'],
      'ct/9-copy.dcm': ['uids.duplicate-sop'], // scanned after ct/1.dcm: the later one is the conflict
      'mr.dcm': ['scope.modality', 'scope.sop-class'],
      'truncated.dcm': ['dicom.parses'],
    });
    // Upload never sends a file without the DICM prefix, so it is no quarantine: listed as skipped.
    expect(report.counts).toMatchObject({ files: 7, pass: 3, quarantine: 4 });
    expect(quiet.mock.calls.flat()).toContain('skipped notes.txt: not a DICOM Part 10 file (too short)');
    expect(report.warnings.map((w) => w.ruleId)).toContain('series.instance-gaps');
  });

  it('applies a project configuration: MR in scope', async () => {
    const root = await folder({ 'mr.dcm': new Uint8Array(readFileSync(join(FIXTURES, 'transfer-syntax/MR_small.dcm'))) });
    const config = join(dir, 'qa.json');
    await writeFile(config, JSON.stringify({ modalities: ['MR'], rules: { 'iod.type1-modality': 'off' } }));
    const json = join(dir, 'report.json');
    expect(await run(['qa', root, '--config', config, '--json', json])).toBe(0);
    expect(JSON.parse(await readFile(json, 'utf8'))).toMatchObject({ counts: { quarantine: 0 } });
    await writeFile(config, JSON.stringify({ rules: { 'deid.verified': 'off' } }));
    expect(await run(['qa', root, '--config', config])).toBe(2);
  });
});
