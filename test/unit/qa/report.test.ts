import { buildReport, renderReportMarkdown, type Finding } from '../../../layers/qa';

const warn = (ruleId: string, extra: Partial<Finding> = {}): Finding => ({
  ruleId,
  severity: 'warn',
  message: `${ruleId} message`,
  ...extra,
});
const block = (ruleId: string): Finding => ({ ruleId, severity: 'quarantine', message: `${ruleId} message` });

describe('QA report', () => {
  const report = buildReport({
    source: 'commons',
    generatedAt: '2026-11-20T10:00:00.000Z',
    final: true,
    submission: { submissionId: 's-1', project: 'p', site: 'site-a', status: 'published' },
    files: [
      { fileId: 'f-pass', findings: [] },
      { fileId: 'f-warn', findings: [warn('iod.type1-modality')] },
      { fileId: 'f-bad', state: 'quarantine', quarantineId: 'f-bad', findings: [block('dicom.parses')] },
      { fileId: 'f-burn', state: 'quarantine', quarantineId: 'f-burn', findings: [block('deid.pixel-review'), warn('iod.type1-modality')] },
      { fileId: 'f-gone', state: 'missing', findings: [] },
    ],
    findings: [warn('series.instance-gaps', { seriesUid: '1.2.3' })],
  });

  it('counts files by outcome and findings by rule', () => {
    expect(report.counts).toEqual({ files: 5, pass: 1, warn: 1, quarantine: 2, missing: 1, pending: 0 });
    expect(report.rules.map((r) => [r.ruleId, r.severity, r.count])).toEqual([
      ['deid.pixel-review', 'quarantine', 1],
      ['dicom.parses', 'quarantine', 1],
      ['iod.type1-modality', 'warn', 2],
      ['series.instance-gaps', 'warn', 1],
    ]);
  });

  it('lists quarantined files with their blocking rules, the warnings of published files, and the missing files', () => {
    expect(report.quarantined).toEqual([
      { fileId: 'f-bad', quarantineId: 'f-bad', rules: ['dicom.parses'], reasons: ['dicom.parses: dicom.parses message'] },
      { fileId: 'f-burn', quarantineId: 'f-burn', rules: ['deid.pixel-review'], reasons: ['deid.pixel-review: deid.pixel-review message'] },
    ]);
    expect(report.warnings.map((w) => [w.ruleId, w.fileId ?? w.seriesUid])).toEqual([
      ['iod.type1-modality', 'f-warn'],
      ['series.instance-gaps', '1.2.3'],
    ]);
    expect(report.missing).toEqual(['f-gone']);
  });

  it('renders the same facts as Markdown', () => {
    const md = renderReportMarkdown(report);
    expect(md).toContain('# QA report: submission s-1');
    expect(md).toContain('| 5 | 1 | 1 | 2 | 1 | 0 |');
    expect(md).toContain('| f-burn | `deid.pixel-review` |');
    expect(md).toContain('- `series.instance-gaps` (series 1.2.3): series.instance-gaps message');
    expect(md).toContain('## Announced but never received');
  });
});
