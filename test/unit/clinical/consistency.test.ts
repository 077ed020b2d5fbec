/**
 * The `submission.cases` rule checks a case's clinical records for consistency: none before the
 * patient's birth, ages at imaging that match the age at index and the days between, vaccine
 * doses in order; and passes when the cases are there and agree.
 */
import { clinicalInconsistencies } from '../../../layers/clinical';
import { evaluateSubmission } from '../../../layers/qa';

const files = [{ fileId: 'a', status: 'staged' }];

describe('clinicalInconsistencies', () => {
  it('finds nothing wrong with a consistent case', () => {
    expect(
      clinicalInconsistencies({
        ageAtIndex: 60,
        records: [
          { node: 'imaging_study', values: { study_modality: 'CT', days_to_study: 400, age_at_imaging: 61 } },
          { node: 'condition', values: { condition_code: 'I10', days_to_condition_start: -3000 } },
          { node: 'covid19_vaccination', values: { vaccine_dose: 1, days_to_vaccination: -60 } },
          { node: 'covid19_vaccination', values: { vaccine_dose: 2, days_to_vaccination: -30 } },
        ],
      }),
    ).toEqual([]);
  });

  it('names each kind of inconsistency once, without values', () => {
    const problems = clinicalInconsistencies({
      ageAtIndex: 10,
      records: [
        { node: 'condition', values: { condition_code: 'I10', days_to_condition_start: -5000 } },
        { node: 'condition', values: { condition_code: 'E11', days_to_condition_start: -6000 } },
        { node: 'imaging_study', values: { study_modality: 'CT', days_to_study: 30, age_at_imaging: 40 } },
        { node: 'covid19_vaccination', values: { vaccine_dose: 2, days_to_vaccination: 5 } },
        { node: 'covid19_vaccination', values: { vaccine_dose: 1, days_to_vaccination: 50 } },
      ],
    });
    expect(problems).toEqual([
      "a condition record's days_to_condition_start lies before the patient's birth (earlier than the age at index allows)",
      "an imaging_study's age_at_imaging disagrees with the age at index and days_to_study",
      'covid19_vaccination doses are out of order: a later dose has an earlier day',
    ]);
  });

  it('does not bound by an unknown or capped age', () => {
    expect(clinicalInconsistencies({ records: [{ node: 'condition', values: { days_to_condition_start: -30000 } }] })).toEqual([]);
  });
});

describe('the submission.cases rule', () => {
  it('passes when every study has a case whose records agree', () => {
    const clinicalByCase = new Map([['case-1', { ageAtIndex: 50, records: [{ node: 'measurement', values: { days_to_test: 0 } }] }]]);
    expect(evaluateSubmission({ files, studyUids: ['1.2'], casesByStudy: new Map([['1.2', 'case-1']]), clinicalByCase })).toEqual([]);
  });

  it("warns per study whose case's records disagree", () => {
    const clinicalByCase = new Map([['case-1', { ageAtIndex: 1, records: [{ node: 'visit', values: { days_to_visit_start: -1000 } }] }]]);
    expect(evaluateSubmission({ files, studyUids: ['1.2'], casesByStudy: new Map([['1.2', 'case-1']]), clinicalByCase })).toEqual([
      {
        ruleId: 'submission.cases',
        severity: 'warn',
        studyUid: '1.2',
        message: "its case: a visit record's days_to_visit_start lies before the patient's birth (earlier than the age at index allows)",
      },
    ]);
  });
});
