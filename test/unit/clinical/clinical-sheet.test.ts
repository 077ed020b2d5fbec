/**
 * Clinical sheets per node: parsed from CSV, TSV or JSON against the dictionary, every error at
 * once with file, row, column, code and a how-to-fix message that never quotes a value; dates
 * turned into days from the index event; ages above 89 capped to "90+".
 */
import { BASE_DICTIONARY, parseClinicalSheet, type NodeDef, type SheetFormat } from '../../../layers/clinical';

const node = (name: string): NodeDef => BASE_DICTIONARY.node(name)!;
const parse = (name: string, text: string, format: SheetFormat = 'csv', indexDates?: Map<string, string>) =>
  parseClinicalSheet({ node: node(name), text, format, file: `${name}.${format}`, ...(indexDates ? { indexDates } : {}) });

describe('a valid sheet of every node is accepted', () => {
  const valid: Record<string, string> = {
    case: 'case_id,index_event,covid19_positive\nMRN-1,COVID-19 test,yes\n',
    demographics: 'case_id,age_at_index,sex,race,ethnicity\nMRN-1,54,female,White,Not Hispanic or Latino\n',
    imaging_study: 'case_id,study_modality,days_to_study,age_at_imaging,body_part_examined\nMRN-1,CT,3,54,chest\n',
    measurement: 'case_id,test_name,test_loinc,test_result_text,days_to_test\nMRN-1,SARS-CoV-2 RT-PCR,94500-6,Positive,0\n',
    condition: 'case_id,condition_code,days_to_condition_start,days_to_condition_end\nMRN-1,u071,-2,14\n',
    medication:
      'case_id,medication_code,medication_name,medication_route,days_to_medication_start\nMRN-1,2284718,remdesivir,intravenous,1\n',
    procedure: 'case_id,procedure_code,procedure_name,days_to_procedure\nMRN-1,94002,ventilation,2\n',
    visit: 'case_id,visit_type,days_to_visit_start,days_to_visit_end,discharge_disposition\nMRN-1,Inpatient,0,9,Home\n',
    vital_sign: 'case_id,vital_sign,vital_sign_value,vital_sign_units,days_to_vital_sign\nMRN-1,Oxygen saturation,91.5,%,0\n',
    covid19_vaccination: 'case_id,vaccine_cvx,vaccine_manufacturer,vaccine_dose,days_to_vaccination\nMRN-1,208,Pfizer-BioNTech,2,-120\n',
  };
  it('covers every node of the base dictionary', () => {
    expect(Object.keys(valid).sort()).toEqual(BASE_DICTIONARY.nodes.map((n) => n.node).sort());
  });
  it.each(Object.entries(valid))('%s', (name, text) => {
    const result = parse(name, text);
    expect(result).toMatchObject({ ok: true, rows: [{ row: 2, caseId: 'MRN-1' }] });
  });
  it('normalizes enumerations to the dictionary spelling and ICD-10-CM codes to their dotted form', () => {
    expect(parse('condition', valid.condition!)).toMatchObject({
      ok: true,
      rows: [{ values: { condition_code: 'U07.1', days_to_condition_start: -2 } }],
    });
    expect(parse('case', valid.case!)).toMatchObject({ ok: true, rows: [{ values: { covid19_positive: 'Yes' } }] });
  });
  it('reads the same records from TSV and JSON', () => {
    const tsv = parse('measurement', 'case_id\ttest_name\ttest_result_text\tdays_to_test\nMRN-1\tD-dimer\t\t4\n', 'tsv');
    const json = parse(
      'measurement',
      JSON.stringify([{ case_id: 'MRN-1', test_name: 'D-dimer', days_to_test: 4, test_result_value: null }]),
      'json',
    );
    expect(tsv).toEqual({
      ok: true,
      rows: [{ row: 2, caseId: 'MRN-1', values: { test_name: 'D-dimer', days_to_test: 4 } }],
      indexDates: new Map(),
    });
    expect(json).toMatchObject({ ok: true, rows: [{ row: 1, caseId: 'MRN-1', values: { test_name: 'D-dimer', days_to_test: 4 } }] });
  });
});

describe('a sheet with errors is refused with every error listed', () => {
  it('lists each bad cell of each row with its code, and quotes no value', () => {
    const result = parse(
      'measurement',
      [
        'case_id,test_name,test_loinc,test_result_text,test_result_value,days_to_test',
        'MRN-SECRET-1,SARS-CoV-2 RT-PCR,94500-6,Positive,,0',
        'MRN-SECRET-2,Tylenol-level,not-loinc,Positive,,x',
        ',D-dimer,,,12 mg,99999',
        'MRN-SECRET-1,SARS-CoV-2 RT-PCR,,Negative,,0',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map(({ row, column, code }) => ({ row, column, code }))).toEqual([
      { row: 3, column: 'test_name', code: 'not_in_enum' },
      { row: 3, column: 'test_loinc', code: 'bad_code' },
      { row: 3, column: 'days_to_test', code: 'not_an_integer' },
      { row: 4, column: 'case_id', code: 'required' },
      { row: 4, column: 'test_result_value', code: 'not_a_number' },
      { row: 4, column: 'days_to_test', code: 'out_of_range' },
      { row: 5, column: 'case_id', code: 'duplicate_record' },
    ]);
    for (const e of errors) {
      expect(e.file).toBe('measurement.csv');
      expect(e.message.length).toBeGreaterThan(10);
      expect(e.message).not.toMatch(/SECRET|Tylenol|not-loinc|12 mg|99999/);
    }
  });

  it('refuses a header with unknown (named by position) and missing columns before reading rows', () => {
    const result = parse('condition', 'case_id,MRN-IN-HEADER\nMRN-1,x\n');
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({ row: 1, column: '#2', code: 'unknown_column' }),
        expect.objectContaining({ row: 1, column: 'condition_code', code: 'missing_column' }),
      ],
    });
    expect(JSON.stringify(result)).not.toContain('MRN-IN-HEADER');
  });

  it("reports rows with the wrong number of fields together with the other rows' errors", () => {
    const result = parse('procedure', 'case_id,procedure_code,days_to_procedure\nMRN-1,94002\nMRN-2,9400,1\n');
    expect(result.ok ? [] : result.errors.map((e) => [e.row, e.code])).toEqual([
      [2, 'field_count'],
      [3, 'bad_code'],
    ]);
  });

  it('refuses an end before its start and a JSON record that is not an object', () => {
    expect(parse('visit', 'case_id,visit_type,days_to_visit_start,days_to_visit_end\nMRN-1,ICU,5,2\n')).toMatchObject({
      ok: false,
      errors: [{ row: 2, column: 'days_to_visit_end', code: 'end_before_start' }],
    });
    expect(parse('visit', '[{"case_id":"A","visit_type":"ICU","days_to_visit_start":1}, 7]', 'json')).toMatchObject({
      ok: false,
      errors: [{ row: 2, code: 'not_an_object' }],
    });
  });
});

describe('dates become days from the index event', () => {
  it("converts a date column with the row's index_date and keeps neither date", () => {
    const result = parse(
      'measurement',
      'case_id,index_date,test_name,test_date\nMRN-1,2021-02-27,D-dimer,2021-03-02\nMRN-2,2020-03-01,D-dimer,2020-02-28\n',
    );
    expect(result).toMatchObject({
      ok: true,
      rows: [
        { caseId: 'MRN-1', values: { test_name: 'D-dimer', days_to_test: 3 } },
        { caseId: 'MRN-2', values: { test_name: 'D-dimer', days_to_test: -2 } }, // 2020 is a leap year
      ],
    });
    if (result.ok) for (const r of result.rows) expect(JSON.stringify(r.values)).not.toMatch(/20(20|21)-/);
  });

  it("converts with the index dates of the site's case sheet (the CLI's conversion at the site)", () => {
    const cases = parse('case', 'case_id,index_date\nMRN-1,2021-01-01\n');
    expect(cases).toMatchObject({ ok: true, rows: [{ caseId: 'MRN-1', values: {} }] });
    const indexDates = cases.ok ? new Map(cases.indexDates) : new Map<string, string>();
    expect(
      parse('visit', 'case_id,visit_type,visit_start_date,visit_end_date\nMRN-1,Inpatient,2021-01-02,2021-01-12\n', 'csv', indexDates),
    ).toMatchObject({
      ok: true,
      rows: [{ values: { days_to_visit_start: 1, days_to_visit_end: 11 } }],
    });
  });

  it('refuses a date without an index date, an impossible date, and a date sent with its days', () => {
    const result = parse(
      'procedure',
      'case_id,index_date,procedure_code,procedure_date,days_to_procedure\nMRN-1,,94002,2021-01-02,\nMRN-2,2021-02-30,94002,2021-03-01,\nMRN-3,2021-01-01,94002,2021-01-02,1\n',
    );
    expect(result.ok ? [] : result.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, 'procedure_date', 'date_without_index'],
      [3, 'index_date', 'bad_date'],
      [3, 'procedure_date', 'date_without_index'],
      [4, 'days_to_procedure', 'days_and_date'],
    ]);
  });
});

describe('ages above 89 are capped', () => {
  it('stores 90 and above as "90+", keeps 89, takes "90+" as sent, refuses nonsense', () => {
    const result = parse('demographics', 'case_id,age_at_index\nA,89\nB,90\nC,104\nD,90+\n');
    expect(result.ok && result.rows.map((r) => r.values.age_at_index)).toEqual([89, '90+', '90+', '90+']);
    expect(parse('imaging_study', 'case_id,study_modality,days_to_study,age_at_imaging\nA,CT,0,121\nB,CT,0,-3\n')).toMatchObject({
      ok: false,
      errors: [
        { row: 2, code: 'bad_age' },
        { row: 3, code: 'bad_age' },
      ],
    });
  });
});
