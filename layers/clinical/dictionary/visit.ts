import { CASE_ID, type NodeDef } from './types';

export const visitNode: NodeDef = {
  node: 'visit',
  version: '1.0.0',
  midrc: 'visit (encounter)',
  description: 'An encounter of the case with the health system.',
  key: ['visit_type', 'days_to_visit_start'],
  properties: [
    CASE_ID,
    {
      name: 'visit_type',
      type: 'enum',
      codeSystem: 'HL7',
      required: true,
      values: ['Inpatient', 'Outpatient', 'Emergency', 'ICU', 'Telehealth', 'Other'],
      description: 'Kind of encounter (HL7 v3 ActEncounterCode, with ICU singled out).',
    },
    {
      name: 'days_to_visit_start',
      type: 'days',
      required: true,
      dateColumn: 'visit_start_date',
      description: 'Days from the index event to the admission or visit.',
    },
    {
      name: 'days_to_visit_end',
      type: 'days',
      dateColumn: 'visit_end_date',
      notBefore: 'days_to_visit_start',
      description: 'Days from the index event to the discharge.',
    },
    {
      name: 'discharge_disposition',
      type: 'enum',
      codeSystem: 'HL7',
      values: ['Home', 'Skilled nursing facility', 'Hospice', 'Transferred', 'Deceased', 'Other', 'Unknown'],
      description: 'Where the patient went at the end of the encounter.',
    },
  ],
};
