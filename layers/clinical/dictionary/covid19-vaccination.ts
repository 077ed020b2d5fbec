import { CASE_ID, type NodeDef } from './types';

export const covid19VaccinationNode: NodeDef = {
  node: 'covid19_vaccination',
  version: '1.0.0',
  midrc: 'covid19_vaccination',
  description: 'A COVID-19 vaccine dose the case received.',
  key: ['vaccine_dose', 'days_to_vaccination'],
  properties: [
    CASE_ID,
    {
      name: 'vaccine_cvx',
      type: 'code',
      codeSystem: 'CVX',
      description: 'CDC CVX code of the vaccine (207 Moderna, 208 Pfizer-BioNTech, 212 Janssen, ...).',
    },
    {
      name: 'vaccine_manufacturer',
      type: 'enum',
      codeSystem: 'MIDRC',
      values: ['Pfizer-BioNTech', 'Moderna', 'Janssen', 'Novavax', 'AstraZeneca', 'Other', 'Unknown'],
      description: 'Manufacturer of the vaccine.',
    },
    {
      name: 'vaccine_dose',
      type: 'integer',
      minimum: 1,
      maximum: 10,
      required: true,
      description: 'Dose number in the series (boosters continue it).',
    },
    {
      name: 'days_to_vaccination',
      type: 'days',
      required: true,
      dateColumn: 'vaccination_date',
      description: 'Days from the index event to the dose.',
    },
  ],
};
