/**
 * `hilum qa` and the pipeline give every file the same verdict, rule ids and messages: each fixture
 * of test/fixtures/dicom (manifest.json lists them) through the function `hilum qa` runs, and
 * through what the commons does with it (upload sends only Part 10 files; the ingest steps composed
 * as processInstance), compared as the QA report shows them.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkFolder } from '../../../cli/commands/qa';
import { notDicomReason } from '../../../cli/lib/part10-prefix';
import { DEFAULT_PROFILE } from '../../../layers/dicom';
import { processInstanceWithPixelCheck } from '../../../layers/ingest/process-instance';
import { buildReport, loadQaConfig, type QaReport } from '../../../layers/qa';

const FIXTURES = join(__dirname, '../../fixtures/dicom');
const FILES = (JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { path: string }[]).map((f) => f.path);
// The OCR check of burned-in text is left out here: both paths run it through the same function
// (processInstanceWithPixelCheck), but within a time budget, so on a loaded machine one path could
// be held as ocr-timeout and the other not; and it would OCR each at-risk fixture twice.
const config = loadQaConfig({ burnedInText: { enabled: false } });
const key = { secret: 'a project secret of the commons, 32+ chars', project: 'project-a', site: 'site-a', profile: DEFAULT_PROFILE };

type Verdict = 'not DICOM' | Pick<QaReport, 'counts' | 'quarantined' | 'warnings'>;

const shown = (report: QaReport): Verdict => ({ counts: report.counts, quarantined: report.quarantined, warnings: report.warnings });

/** What the commons makes of the file: upload refuses it, or the ingest steps decide and the report shows it. */
async function pipelineVerdict(path: string): Promise<Verdict> {
  const fileId = basename(path);
  if (await notDicomReason({ path, relativePath: fileId, size: statSync(path).size })) return 'not DICOM';
  const processed = await processInstanceWithPixelCheck(new Uint8Array(readFileSync(path)), { key, deidentifiedAtSite: false, config });
  const findings = processed.findings.map((f) => ({ ...f, fileId }));
  return shown(buildReport({ source: 'offline', generatedAt: '', final: true, files: [{ fileId, findings }], findings: [] }));
}

async function localQaVerdict(path: string): Promise<Verdict> {
  const { report, skipped } = await checkFolder(path, { config, profile: DEFAULT_PROFILE, quiet: true });
  return skipped.length > 0 ? 'not DICOM' : shown(report);
}

describe('hilum qa and the pipeline agree on every fixture', () => {
  it('covers every file of the manifest, and the manifest covers each kind of verdict', async () => {
    const verdicts = await Promise.all(FILES.map((f) => pipelineVerdict(join(FIXTURES, f))));
    const kinds = new Set(verdicts.map((v) => (v === 'not DICOM' ? v : v.counts.quarantine ? 'quarantine' : 'pass or warn')));
    expect([...kinds].sort()).toEqual(['not DICOM', 'pass or warn', 'quarantine']);
  });

  it.each(FILES)('%s: the same verdict, rule ids and messages', async (file) => {
    const path = join(FIXTURES, file);
    expect(await localQaVerdict(path)).toEqual(await pipelineVerdict(path));
  });

  it('names the real trigger of pixel review on the CR that declares nothing (no BurnedInAnnotation, not ORIGINAL)', async () => {
    const verdict = await localQaVerdict(join(FIXTURES, 'patient-77654033/cr-cspine/CR1_6154.dcm'));
    expect(verdict).not.toBe('not DICOM');
    if (verdict === 'not DICOM') return;
    expect(verdict.quarantined).toEqual([
      {
        fileId: 'CR1_6154.dcm',
        rules: ['deid.pixel-review'],
        reasons: [
          'deid.pixel-review: radiograph (CR) not declared free of burned-in text: BurnedInAnnotation absent, ImageType not ORIGINAL',
        ],
      },
    ]);
  });
});
