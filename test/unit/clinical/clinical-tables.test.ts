/** A node's records as a table: columns typed from the dictionary, RFC 4180 quoting, pseudonyms only. */
import { CLINICAL_EXPORT_TABLES, clinicalColumns, clinicalTableCsv } from '../../../layers/catalog/clinical-tables';
import { BASE_DICTIONARY, type ClinicalRecord } from '../../../layers/clinical';

const medication = BASE_DICTIONARY.node('medication')!;
const record: ClinicalRecord = {
  project: 'p',
  node: 'medication',
  casePseudonym: 'PSEUDO-1',
  recordId: 'r',
  site: 's',
  submissionId: 'sub',
  values: { medication_code: '2284718', medication_name: 'remdesivir, "IV"', days_to_medication_start: -1 },
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('clinical tables', () => {
  it('types days as INT32, numbers as DOUBLE, ages and codes as strings', () => {
    const types = Object.fromEntries(clinicalColumns(medication).map((c) => [c.name, c.type]));
    expect(types).toMatchObject({ case_id: 'STRING', medication_code: 'STRING', days_to_medication_start: 'INT32' });
    const vitals = Object.fromEntries(clinicalColumns(BASE_DICTIONARY.node('vital_sign')!).map((c) => [c.name, c.type]));
    expect(vitals.vital_sign_value).toBe('DOUBLE');
    const demographics = Object.fromEntries(clinicalColumns(BASE_DICTIONARY.node('demographics')!).map((c) => [c.name, c.type]));
    expect(demographics.age_at_index).toBe('STRING');
  });

  it('writes CSV with the pseudonym as case_id and quotes fields with commas and quotes', () => {
    expect(clinicalTableCsv(medication, [record])).toBe(
      'case_id,project,site,medication_code,medication_name,medication_route,days_to_medication_start,days_to_medication_end\n' +
        'PSEUDO-1,p,s,2284718,"remdesivir, ""IV""",,-1,\n',
    );
  });

  it('has one export table per node', () => {
    expect(Object.keys(CLINICAL_EXPORT_TABLES)).toEqual(BASE_DICTIONARY.nodes.map((n) => `clinical_${n.node}`));
  });
});
