import { CASE_ID, type NodeDef } from './types';

export const conditionNode: NodeDef = {
  node: 'condition',
  version: '1.0.0',
  midrc: 'condition',
  description: 'A diagnosis or comorbidity of the case, coded in ICD-10-CM.',
  key: ['condition_code', 'days_to_condition_start'],
  properties: [
    CASE_ID,
    {
      name: 'condition_code',
      type: 'code',
      codeSystem: 'ICD-10-CM',
      required: true,
      description: 'ICD-10-CM code, with or without its dot (U07.1, J1289). Its three-character category is the search facet.',
    },
    {
      name: 'days_to_condition_start',
      type: 'days',
      dateColumn: 'condition_start_date',
      description: 'Days from the index event to the onset or first diagnosis.',
    },
    {
      name: 'days_to_condition_end',
      type: 'days',
      dateColumn: 'condition_end_date',
      notBefore: 'days_to_condition_start',
      description: 'Days from the index event to the resolution.',
    },
  ],
};
