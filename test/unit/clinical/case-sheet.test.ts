/**
 * cases.csv: the MIDRC subset parsed and normalized, errors numbered by row and
 * named by column, and never a value (the case id is the hospital's PatientID).
 */
import {
  BASE_DICTIONARY,
  CASE_COLUMNS,
  CASE_ROW_JSON_SCHEMA,
  caseSheetRecordValues,
  parseCaseSheet,
  parseCsv,
} from '../../../layers/clinical';

const HEADER = 'case_id,sex,age_at_index,race,ethnicity,covid19_positive,index_date';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF, a BOM, and numbers rows by line', () => {
    const rows = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi""\nthere"\r\n\r\nlast,\n');
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"\nthere'] },
      { line: 5, fields: ['last', ''] },
    ]);
  });

  it('rejects an unclosed quote with its line and no content', () => {
    expect(() => parseCsv('a\n"MRN-SECRET')).toThrow(/^line 2: a quoted field is not closed$/);
  });
});

describe('parseCaseSheet', () => {
  it('normalizes demographics to the dictionary spelling, caps ages above 89 with a flag, keeps only the index year', () => {
    const result = parseCaseSheet(
      [
        HEADER,
        'MRN-1,female,54,white,not hispanic or latino,YES,2021-03-04',
        'MRN-2,Male,93,Asian,Hispanic or Latino,no,',
        'MRN-3,,90+,,,,',
        ' MRN-4 ,,,,,,',
      ].join('\n'),
    );
    expect(result).toEqual({
      ok: true,
      cases: [
        {
          row: 2,
          caseId: 'MRN-1',
          sex: 'Female',
          ageAtIndex: 54,
          ageCapped: false,
          race: 'White',
          ethnicity: 'Not Hispanic or Latino',
          covid19Positive: 'Yes',
          indexYear: 2021,
        },
        {
          row: 3,
          caseId: 'MRN-2',
          sex: 'Male',
          ageAtIndex: 89,
          ageCapped: true,
          race: 'Asian',
          ethnicity: 'Hispanic or Latino',
          covid19Positive: 'No',
        },
        { row: 4, caseId: 'MRN-3', ageAtIndex: 89, ageCapped: true },
        { row: 5, caseId: 'MRN-4' },
      ],
    });
  });

  it('accepts the columns in any order and only case_id', () => {
    expect(parseCaseSheet('sex,case_id\nMale,P1\n')).toEqual({ ok: true, cases: [{ row: 2, caseId: 'P1', sex: 'Male' }] });
  });

  it('reports every bad cell by row and column, never quoting the value', () => {
    const secret = 'DOE-JANE-19700412';
    const result = parseCaseSheet(
      [
        HEADER,
        `${secret},Femal,54,White,,Yes,`,
        `${secret}-2,Female,abc,,,maybe,2021-02-30`,
        `${secret},Female,30,,,,`,
        `${secret}-3,Female`,
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { row: 2, column: 'sex', message: 'must be one of: Female, Male, Other, Unknown' },
      { row: 3, column: 'age_at_index', message: 'must be a whole number of years from 0 to 120, or 90+' },
      { row: 3, column: 'covid19_positive', message: 'must be one of: Yes, No, Unknown' },
      { row: 3, column: 'index_date', message: 'must be a date as YYYY-MM-DD' },
      { row: 5, message: 'has 2 fields; the header has 7' },
    ]);
    expect(JSON.stringify(result)).not.toContain('DOE');
    expect(JSON.stringify(result)).not.toContain('Femal,');
  });

  it('refuses a repeated case (it would be two patients or one patient twice) by row', () => {
    const result = parseCaseSheet('case_id,sex\nP1,Male\nP2,Male\nP1,Female\n');
    expect(result).toEqual({ ok: false, errors: [{ row: 4, column: 'case_id', message: 'repeats the case of row 2' }] });
  });

  it('refuses an unknown column by position (a header cell could hold anything) and a missing case_id column', () => {
    const result = parseCaseSheet('sex,Patient Name\nMale,DOE^JOHN\n');
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          row: 1,
          message: 'column 2 is not a cases.csv column (case_id, sex, age_at_index, race, ethnicity, covid19_positive, index_date)',
        },
        { row: 1, column: 'case_id', message: 'is a required column' },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('DOE');
  });

  it('refuses an empty sheet and a sheet with no cases', () => {
    expect(parseCaseSheet('')).toMatchObject({ ok: false, errors: [{ row: 1 }] });
    expect(parseCaseSheet(`${HEADER}\n`)).toMatchObject({ ok: false, errors: [{ row: 2, message: 'the sheet has no cases' }] });
  });

  it('publishes a JSON Schema with the same columns, required case_id, and the enumerations', () => {
    expect(Object.keys(CASE_ROW_JSON_SCHEMA.properties)).toEqual(CASE_COLUMNS.map((c) => c.name));
    expect(CASE_ROW_JSON_SCHEMA.required).toEqual(['case_id']);
    expect(CASE_ROW_JSON_SCHEMA.properties.sex).toMatchObject({ enum: ['Female', 'Male', 'Other', 'Unknown', ''] });
  });
});

describe("cases.csv's enumerations", () => {
  it("are the dictionary's own (demographics sex, race, ethnicity; case covid19_positive), not copies that could drift", () => {
    const values = (node: string, property: string) => BASE_DICTIONARY.node(node)!.properties.find((p) => p.name === property)!.values;
    const column = (name: string) => CASE_COLUMNS.find((c) => c.name === name)!.enum;
    expect(column('sex')).toBe(values('demographics', 'sex'));
    expect(column('race')).toBe(values('demographics', 'race'));
    expect(column('ethnicity')).toBe(values('demographics', 'ethnicity'));
    expect(column('covid19_positive')).toBe(values('case', 'covid19_positive'));
  });
});

describe('the clinical records a cases.csv row stands for', () => {
  it('are its demographics (a capped age as "90+") and its case node, with only the properties the row gave', () => {
    const sheet = parseCaseSheet('case_id,sex,age_at_index,race,covid19_positive\nP1,female,95,Asian,Yes\nP2,,,,\nP3,Male,41,,\n');
    if (!sheet.ok) throw new Error('the sheet is valid');
    expect(sheet.cases.map(caseSheetRecordValues)).toEqual([
      [
        { node: 'demographics', values: { age_at_index: '90+', sex: 'Female', race: 'Asian' } },
        { node: 'case', values: { covid19_positive: 'Yes' } },
      ],
      [],
      [{ node: 'demographics', values: { age_at_index: 41, sex: 'Male' } }],
    ]);
  });
});
