import { CASE_ID, type NodeDef } from './types';

export const medicationNode: NodeDef = {
  node: 'medication',
  version: '1.0.0',
  midrc: 'medication',
  description: 'A medication the case received, coded in RxNorm.',
  key: ['medication_code', 'days_to_medication_start'],
  properties: [
    CASE_ID,
    { name: 'medication_code', type: 'code', codeSystem: 'RxNorm', required: true, description: 'RxNorm concept id (RXCUI).' },
    { name: 'medication_name', type: 'string', maxLength: 128, description: 'Generic name of the medication.' },
    {
      name: 'medication_route',
      type: 'enum',
      codeSystem: 'HL7',
      values: ['Oral', 'Intravenous', 'Subcutaneous', 'Intramuscular', 'Inhalation', 'Topical', 'Other'],
      description: 'Route of administration.',
    },
    {
      name: 'days_to_medication_start',
      type: 'days',
      required: true,
      dateColumn: 'medication_start_date',
      description: 'Days from the index event to the first dose.',
    },
    {
      name: 'days_to_medication_end',
      type: 'days',
      dateColumn: 'medication_end_date',
      notBefore: 'days_to_medication_start',
      description: 'Days from the index event to the last dose.',
    },
  ],
};
