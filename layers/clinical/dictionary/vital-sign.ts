import { CASE_ID, type NodeDef } from './types';

export const vitalSignNode: NodeDef = {
  node: 'vital_sign',
  version: '1.0.0',
  midrc: 'measurement (vital signs)',
  description: 'A vital sign of the case.',
  key: ['vital_sign', 'days_to_vital_sign'],
  properties: [
    CASE_ID,
    {
      name: 'vital_sign',
      type: 'enum',
      codeSystem: 'LOINC',
      required: true,
      values: [
        'Body temperature',
        'Heart rate',
        'Respiratory rate',
        'Systolic blood pressure',
        'Diastolic blood pressure',
        'Oxygen saturation',
        'Body weight',
        'Body height',
        'Body mass index',
      ],
      description: 'The vital sign (the LOINC vital signs panel, 85353-1).',
    },
    { name: 'vital_sign_value', type: 'number', required: true, description: 'The value, in `vital_sign_units`.' },
    {
      name: 'vital_sign_units',
      type: 'string',
      maxLength: 32,
      description: 'UCUM units of the value (Cel, /min, mm[Hg], %, kg, cm, kg/m2).',
    },
    {
      name: 'days_to_vital_sign',
      type: 'days',
      required: true,
      dateColumn: 'vital_sign_date',
      description: 'Days from the index event to the observation.',
    },
  ],
};
