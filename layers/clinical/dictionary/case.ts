import { CASE_ID, type NodeDef } from './types';

export const caseNode: NodeDef = {
  node: 'case',
  version: '1.0.0',
  midrc: 'case',
  description: 'A patient of the project: the root every other node hangs from, and what studies join on.',
  key: [],
  properties: [
    CASE_ID,
    {
      name: 'index_event',
      type: 'enum',
      codeSystem: 'MIDRC',
      values: ['COVID-19 test', 'Imaging study', 'Hospital admission', 'Diagnosis', 'Other'],
      description: "The event day 0 of the case's timeline is: every `days_to_*` counts from it.",
    },
    {
      name: 'covid19_positive',
      type: 'enum',
      codeSystem: 'HL7',
      values: ['Yes', 'No', 'Unknown'],
      description: 'Whether the patient ever had a positive COVID-19 test (a positive `measurement` also says so).',
    },
  ],
};
