import { CASE_ID, type NodeDef } from './types';

export const demographicsNode: NodeDef = {
  node: 'demographics',
  version: '1.0.0',
  midrc: 'case (demographic properties)',
  description: "The case's demographics at the index event.",
  key: [],
  properties: [
    CASE_ID,
    {
      name: 'age_at_index',
      type: 'age',
      unit: 'years',
      description: 'Age in whole years at the index event; above 89 is stored as "90+".',
    },
    { name: 'sex', type: 'enum', codeSystem: 'HL7', values: ['Female', 'Male', 'Other', 'Unknown'], description: 'Sex.' },
    {
      name: 'race',
      type: 'enum',
      codeSystem: 'OMB 1997',
      values: [
        'White',
        'Black or African American',
        'Asian',
        'American Indian or Alaska Native',
        'Native Hawaiian or other Pacific Islander',
        'Other',
        'Not Reported',
      ],
      description: 'Race, OMB categories.',
    },
    {
      name: 'ethnicity',
      type: 'enum',
      codeSystem: 'OMB 1997',
      values: ['Hispanic or Latino', 'Not Hispanic or Latino', 'Not Reported'],
      description: 'Ethnicity, OMB categories.',
    },
  ],
};
