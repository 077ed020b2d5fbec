/** A node's records as a table: columns typed from the dictionary, RFC 4180 quoting, pseudonyms only. */
import { parquetReadObjects } from 'hyparquet';
import {
  CLINICAL_EXPORT_NODES,
  CLINICAL_EXPORT_TABLES,
  CLINICAL_EXTENSION_COLUMNS,
  clinicalColumns,
  clinicalTableCsv,
  extensionValueRows,
} from '../../../layers/catalog/clinical-tables';
import { toParquet } from '../../../layers/catalog/parquet-export';
import { BASE_DICTIONARY, projectClinicalDictionary, type ClinicalRecord } from '../../../layers/clinical';

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

  it('has one export table per base node and the long-format extension table', () => {
    expect(Object.keys(CLINICAL_EXPORT_TABLES)).toEqual([...BASE_DICTIONARY.nodes.map((n) => `clinical_${n.node}`), 'clinical_extension']);
    expect(CLINICAL_EXPORT_TABLES.clinical_extension!.map((c) => c.name)).toEqual([
      'case_id',
      'project',
      'site',
      'node',
      'record_id',
      'property',
      'value_type',
      'value',
    ]);
  });

  it("gives a base node's export table the shifted-dates mode's date columns beside the days, typed DATE", () => {
    const columns = Object.fromEntries(CLINICAL_EXPORT_TABLES.clinical_medication!.map((c) => [c.name, c.type]));
    expect(columns).toMatchObject({ days_to_medication_start: 'INT32', medication_start_date: 'DATE', medication_end_date: 'DATE' });
    expect(CLINICAL_EXPORT_NODES.find((n) => n.node === 'case')!.properties.map((p) => p.name)).toContain('index_date');
  });

  it('writes a shifted date as a Parquet DATE that reads back as the same day', async () => {
    const dated: ClinicalRecord = { ...record, values: { medication_code: '2284718', medication_start_date: '2019-11-02' } };
    const node = CLINICAL_EXPORT_NODES.find((n) => n.node === 'medication')!;
    const bytes = toParquet(clinicalColumns(node), [dated, record]);
    const rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    });
    expect(
      rows.map((r) => [
        r.medication_start_date instanceof Date ? (r.medication_start_date as Date).toISOString() : r.medication_start_date,
        r.days_to_medication_start,
      ]),
    ).toEqual([
      ['2019-11-02T00:00:00.000Z', null],
      [null, -1],
    ]);
  });
});

describe('the extension table', () => {
  const smoking = {
    node: 'smoking',
    version: '0.1.0',
    description: 'Tobacco use.',
    key: [],
    properties: [
      { name: 'case_id', type: 'string', required: true, description: 'The case.' },
      { name: 'pack_years', type: 'number', minimum: 0, description: 'Pack-years.' },
      { name: 'status', type: 'enum', values: ['Current', 'Former', 'Never'], description: 'Smoking status.' },
    ],
  };
  const dictionary = projectClinicalDictionary({
    clinicalDictionary: {
      nodes: [smoking],
      properties: [{ node: 'medication', property: { name: 'dose_mg', type: 'number', description: 'Dose.' } }],
    },
  });
  const smoker: ClinicalRecord = { ...record, node: 'smoking', recordId: 's1', values: { pack_years: 12.5, status: 'Former' } };
  const dosed: ClinicalRecord = { ...record, values: { ...record.values, dose_mg: 200 } };

  it("holds every value of a project's added node and of a property added to a base node, nothing the base tables hold", () => {
    const rows = extensionValueRows(dictionary, [smoker, dosed, { ...record, node: 'no_longer_configured' }]);
    expect(rows.map((r) => Object.fromEntries(CLINICAL_EXTENSION_COLUMNS.map((c) => [c.name, c.value(r)])))).toEqual([
      {
        case_id: 'PSEUDO-1',
        project: 'p',
        site: 's',
        node: 'smoking',
        record_id: 's1',
        property: 'pack_years',
        value_type: 'number',
        value: '12.5',
      },
      {
        case_id: 'PSEUDO-1',
        project: 'p',
        site: 's',
        node: 'smoking',
        record_id: 's1',
        property: 'status',
        value_type: 'enum',
        value: 'Former',
      },
      {
        case_id: 'PSEUDO-1',
        project: 'p',
        site: 's',
        node: 'medication',
        record_id: 'r',
        property: 'dose_mg',
        value_type: 'number',
        value: '200',
      },
    ]);
  });
});
