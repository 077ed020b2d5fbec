import { loadDictionary, type ClinicalRecord } from '../../../layers/clinical';
import { CaseLabelConfigError, caseLabelValues, loadCaseLabel } from '../../../layers/clinical/case-label';

const dictionary = loadDictionary({
  properties: [{ node: 'condition', property: { name: 'severity', type: 'integer', description: 'Severity score.' } }],
});

const record = (node: string, casePseudonym: string, values: Record<string, string | number>): ClinicalRecord => ({
  project: 'p',
  node,
  casePseudonym,
  recordId: `${node}-${casePseudonym}-${JSON.stringify(values)}`,
  site: 'site-a',
  submissionId: 's1',
  values,
  updatedAt: '2026-12-01T00:00:00Z',
});

function problemsOf(config: unknown): readonly string[] {
  try {
    loadCaseLabel(config, dictionary);
  } catch (error) {
    if (error instanceof CaseLabelConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("a project's own case label: its definition against the dictionary", () => {
  it("accepts a condition code or a measurement's result, in the dictionary's spelling", () => {
    expect(
      loadCaseLabel({ name: 'pneumonia', node: 'condition', property: 'condition_code', positive: ['j18', 'J12.89'] }, dictionary),
    ).toEqual({
      name: 'pneumonia',
      node: 'condition',
      property: 'condition_code',
      positive: ['J18', 'J12.89'],
    });
    expect(
      loadCaseLabel(
        {
          name: 'pcr_positive',
          node: 'measurement',
          property: 'test_result_text',
          positive: ['positive'],
          negative: ['Negative'],
          where: { property: 'test_name', values: ['SARS-CoV-2 RT-PCR'] },
        },
        dictionary,
      ),
    ).toMatchObject({ positive: ['Positive'], negative: ['Negative'], where: { values: ['SARS-CoV-2 RT-PCR'] } });
  });

  it('names every problem: a reserved name, a missing property, a property of another type, a value the property cannot hold', () => {
    expect(problemsOf({ name: 'sex', node: 'condition', property: 'condition_code', positive: ['J18'] })).toEqual([
      'name: "sex" is a case attribute already; choose another name',
    ]);
    expect(problemsOf({ name: 'x', node: 'visits', property: 'visit_type', positive: ['ICU'] })[0]).toMatch(/^node: no node "visits"/);
    expect(
      problemsOf({
        name: 'x',
        node: 'measurement',
        property: 'test_result_text',
        positive: ['Maybe'],
        where: { property: 'days_to_test', values: ['1'] },
      }),
    ).toEqual([
      'positive.0: must be one of: Positive, Negative, Indeterminate, Not performed',
      'where.property: "days_to_test" is of type days; a label reads an enum, a code or a string',
    ]);
    expect(problemsOf({ name: 'x', node: 'condition', property: 'severity', positive: ['3'] })).toEqual([
      'property: "severity" is of type integer; a label reads an enum, a code or a string',
    ]);
    expect(problemsOf({ name: 'x', node: 'condition', property: 'condition_code', positive: ['not a code'] })[0]).toMatch(
      /^positive\.0: must be a ICD-10-CM code/,
    );
    expect(problemsOf({ name: 'x', node: 'condition', property: 'code', positive: ['J18'] })).toEqual([
      'property: node "condition" has no property "code"',
    ]);
    expect(problemsOf({ name: 'Bad Name', node: 'condition', property: 'condition_code', positive: [] })).toHaveLength(2);
  });
});

describe("a project's own case label: each case's value from its records", () => {
  it('is Yes for a case with a code under a positive category, No with other codes, and unknown or No without any', () => {
    const label = loadCaseLabel({ name: 'pneumonia', node: 'condition', property: 'condition_code', positive: ['J18'] }, dictionary);
    const valueOf = caseLabelValues(label, dictionary, [
      record('condition', 'c1', { condition_code: 'J18.9' }),
      record('condition', 'c1', { condition_code: 'I10' }),
      record('condition', 'c2', { condition_code: 'I10' }),
      record('condition', 'c3', { condition_code: 'J13' }),
      record('measurement', 'c4', { test_name: 'D-dimer', condition_code: 'J18' }),
    ]);
    expect(['c1', 'c2', 'c3', 'c4', 'c5'].map(valueOf)).toEqual(['Yes', 'No', 'No', 'unknown', 'unknown']);
    const absentNegative = caseLabelValues({ ...label, absent: 'negative' }, dictionary, []);
    expect(absentNegative('c5')).toBe('No');
  });

  it('counts only the records `where` admits, and with a negative set leaves other results out', () => {
    const label = loadCaseLabel(
      {
        name: 'pcr_positive',
        node: 'measurement',
        property: 'test_result_text',
        positive: ['Positive'],
        negative: ['Negative'],
        where: { property: 'test_name', values: ['SARS-CoV-2 RT-PCR'] },
      },
      dictionary,
    );
    const pcr = (c: string, result?: string) =>
      record('measurement', c, { test_name: 'SARS-CoV-2 RT-PCR', days_to_test: 0, ...(result ? { test_result_text: result } : {}) });
    const valueOf = caseLabelValues(label, dictionary, [
      pcr('c1', 'Negative'),
      pcr('c1', 'Positive'),
      pcr('c2', 'Negative'),
      pcr('c3', 'Indeterminate'),
      pcr('c4'),
      record('measurement', 'c5', { test_name: 'SARS-CoV-2 antigen', test_result_text: 'Positive', days_to_test: 0 }),
    ]);
    expect(['c1', 'c2', 'c3', 'c4', 'c5'].map(valueOf)).toEqual(['Yes', 'No', 'unknown', 'unknown', 'unknown']);
  });
});
