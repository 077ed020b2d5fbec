import { CASE_ID, type NodeDef } from './types';

export const procedureNode: NodeDef = {
  node: 'procedure',
  version: '1.0.0',
  midrc: 'procedure',
  description: 'A procedure performed on the case (ventilation, intubation, ECMO, ...), coded in CPT.',
  key: ['procedure_code', 'days_to_procedure'],
  properties: [
    CASE_ID,
    { name: 'procedure_code', type: 'code', codeSystem: 'CPT', required: true, description: 'CPT code of the procedure.' },
    { name: 'procedure_name', type: 'string', maxLength: 128, description: 'Name of the procedure.' },
    {
      name: 'days_to_procedure',
      type: 'days',
      required: true,
      dateColumn: 'procedure_date',
      description: 'Days from the index event to the procedure.',
    },
  ],
};
