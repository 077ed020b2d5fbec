import { CASE_ID, type NodeDef } from './types';

/** The values the COVID-19 facet reads from `test_result_text` of a COVID-19 test. */
export const COVID19_TESTS = ['SARS-CoV-2 RT-PCR', 'SARS-CoV-2 antigen', 'SARS-CoV-2 antibody'] as const;

export const measurementNode: NodeDef = {
  node: 'measurement',
  version: '1.0.0',
  midrc: 'measurement',
  description: 'A laboratory test of the case (COVID-19 tests and other labs) with its result.',
  key: ['test_name', 'days_to_test'],
  properties: [
    CASE_ID,
    {
      name: 'test_name',
      type: 'enum',
      codeSystem: 'MIDRC',
      required: true,
      values: [
        ...COVID19_TESTS,
        'D-dimer',
        'C-reactive protein',
        'Ferritin',
        'Lactate dehydrogenase',
        'Lymphocyte count',
        'White blood cell count',
        'Troponin',
        'Procalcitonin',
        'Interleukin-6',
        'Creatinine',
        'Other',
      ],
      description: 'The test.',
    },
    { name: 'test_loinc', type: 'code', codeSystem: 'LOINC', description: 'LOINC code of the test, where known.' },
    {
      name: 'test_result_text',
      type: 'enum',
      codeSystem: 'HL7',
      values: ['Positive', 'Negative', 'Indeterminate', 'Not performed'],
      description: 'A qualitative result (COVID-19 tests).',
    },
    { name: 'test_result_value', type: 'number', description: 'A quantitative result, in `test_units`.' },
    { name: 'test_units', type: 'string', maxLength: 32, description: 'Units of `test_result_value` (UCUM).' },
    {
      name: 'days_to_test',
      type: 'days',
      required: true,
      dateColumn: 'test_date',
      description: 'Days from the index event to the specimen collection.',
    },
  ],
};
