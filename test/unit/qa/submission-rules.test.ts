import { evaluateSubmission } from '../../../layers/qa';

describe('submission rules', () => {
  const files = [
    { fileId: 'a', status: 'staged' },
    { fileId: 'b', status: 'quarantined' },
  ];

  it('submission.all-received passes when every announced file arrived and warns per missing file', () => {
    expect(
      evaluateSubmission({ files, studyUids: [], casesByStudy: new Map() }).filter((f) => f.ruleId === 'submission.all-received'),
    ).toEqual([]);
    expect(evaluateSubmission({ files: [...files, { fileId: 'c', status: 'missing' }], studyUids: [] })).toEqual([
      { ruleId: 'submission.all-received', severity: 'warn', fileId: 'c', message: 'announced but never received' },
    ]);
  });

  it('submission.cases warns "no clinical data" when the site provided none, and names studies without a case', () => {
    expect(evaluateSubmission({ files, studyUids: ['1.2'] })).toEqual([
      { ruleId: 'submission.cases', severity: 'warn', message: 'no clinical data was provided for this submission' },
    ]);
    expect(evaluateSubmission({ files, studyUids: ['1.2', '1.3'], casesByStudy: new Map([['1.2', 'case-1']]) })).toEqual([
      { ruleId: 'submission.cases', severity: 'warn', studyUid: '1.3', message: 'the study has no clinical case' },
    ]);
    expect(evaluateSubmission({ files, studyUids: ['1.2'], casesByStudy: new Map([['1.2', 'case-1']]) })).toEqual([]);
  });
});
