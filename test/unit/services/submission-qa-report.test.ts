import type { SubmissionFile } from '../../../layers/catalog/entities';
import type { FileQaResult } from '../../../layers/catalog/qa-entities';
import { reportFileInput } from '../../../layers/services/submission-qa-report';

const staged = (over: Partial<SubmissionFile> = {}): SubmissionFile => ({
  submissionId: 's',
  fileId: 'f',
  intakeKey: 'intake/s/f',
  declaredSize: 10,
  status: 'staged',
  announcedAt: 't',
  handledAt: 't',
  releasedKey: 'studies/1/2/3.dcm',
  ...over,
});
const warning = { ruleId: 'instance.x', severity: 'warn' as const, message: 'a value-free warning' };
const result = (findings: FileQaResult['findings']): FileQaResult => ({
  submissionId: 's',
  fileId: 'f',
  outcome: findings.length ? 'warn' : 'pass',
  findings,
  evaluatedAt: 't',
});

describe("a staged file's line of the QA report", () => {
  it('takes the warnings ingest recorded with the outcome on the file', () => {
    expect(reportFileInput(staged({ qaFindings: [warning] }), undefined, undefined)).toEqual({ fileId: 'f', findings: [warning] });
  });

  it('lets the findings recorded with the outcome win over an earlier attempt’s result item (a clean pass included)', () => {
    const earlier = result([{ ruleId: 'deid.pixel-review', severity: 'quarantine', message: 'held' }]);
    expect(reportFileInput(staged({ qaFindings: [] }), earlier, undefined)).toEqual({ fileId: 'f', findings: [] });
  });

  it('reads the result item of a file without recorded findings (admitted from quarantine, or staged before), overridden findings as warnings', () => {
    const admitted = result([{ ruleId: 'deid.pixel-review', severity: 'quarantine', message: 'held' }]);
    expect(reportFileInput(staged(), admitted, undefined)).toEqual({
      fileId: 'f',
      findings: [{ ruleId: 'deid.pixel-review', severity: 'warn', message: 'held' }],
    });
    expect(reportFileInput(staged(), result([warning]), undefined)).toEqual({ fileId: 'f', findings: [warning] });
  });
});
