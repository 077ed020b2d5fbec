/**
 * Clinical dates in a project's two modes (issue 19): days from the index event, or shifted with
 * the images' own per-patient shift. The shift is the de-identifier's (same key, site and
 * PatientID), so a record's date and its patient's StudyDate move by the same days; the setting
 * is validated against the profile; the consistency checks read either mode alike.
 */
import {
  BASE_DICTIONARY,
  caseClinicalOnIndexTimeline,
  clinicalDateModeOf,
  clinicalDatesSettingProblem,
  clinicalDateShift,
  clinicalInconsistencies,
  dictionaryForDates,
  parseClinicalSheet,
  projectClinicalDictionary,
  shiftClinicalDate,
  shiftRowDates,
  type CaseClinical,
  type ClinicalRow,
  type ClinicalValue,
} from '../../../layers/clinical';
import { BASIC_PROFILE, DEFAULT_PROFILE, deidentify } from '../../../layers/dicom';
import { readDicomFile } from '../../../layers/dicom/dcmjs';
import { makeDicom } from '../../support/synthetic-dicom';

const KEYS = { secret: 'unit-test-secret', project: 'dates', site: 'site-a' };
const SHIFTED = dictionaryForDates(BASE_DICTIONARY, 'shifted');
const DAY_MS = 86_400_000;
const daysBetween = (a: string, b: string) => (Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / DAY_MS;
const iso = (da: string) => `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}`;

function rowsOf(result: ReturnType<typeof parseClinicalSheet>): readonly ClinicalRow[] {
  if (!result.ok) throw new Error(`sheet refused: ${JSON.stringify(result.errors)}`);
  return result.rows;
}

describe('a shifted-dates project', () => {
  it("shifts a clinical date by the same days as the same patient's image StudyDate", () => {
    for (const patientId of ['MRN-DATES-1', 'MRN-DATES-2', '  MRN-DATES-3']) {
      const image = makeDicom({ patient: { id: patientId.trim() }, elements: { '00080020': { vr: 'DA', Value: ['20210305'] } } });
      const out = deidentify(image, { ...KEYS, profile: DEFAULT_PROFILE });
      const studyDate = String(readDicomFile(out.bytes).dict['00080020']!.Value![0]);
      expect(studyDate).not.toBe('20210305');

      const sheet = parseClinicalSheet({
        node: SHIFTED.node('imaging_study')!,
        text: `case_id,study_modality,study_date\n${patientId},CT,2021-03-05\n`,
        format: 'csv',
        file: 'imaging_study.csv',
      });
      const [row] = rowsOf(sheet);
      const stored = shiftRowDates(SHIFTED.node('imaging_study')!, row!.values, clinicalDateShift(row!.caseId, KEYS, DEFAULT_PROFILE));
      expect(stored.study_date).toBe(iso(studyDate));
      expect(daysBetween('2021-03-05', String(stored.study_date))).toBe(clinicalDateShift(patientId, KEYS, DEFAULT_PROFILE));
    }
  });

  it('keeps every interval: two dates of one patient shift alike, two patients differently', () => {
    const a = clinicalDateShift('MRN-A', KEYS, DEFAULT_PROFILE);
    const b = clinicalDateShift('MRN-B', KEYS, DEFAULT_PROFILE);
    expect(a).not.toBe(b);
    expect(daysBetween(shiftClinicalDate('2021-03-10', a)!, shiftClinicalDate('2021-03-01', a)!)).toBe(9);
    expect(clinicalDateShift('MRN-A', { ...KEYS, site: 'site-b' }, DEFAULT_PROFILE)).not.toBe(a);
    expect(shiftClinicalDate('2021-02-30', a)).toBeUndefined();
  });

  it('takes a sheet with dates in shift mode, and the same sheet in days-from-index mode as days', () => {
    const text = 'case_id,test_name,test_date,index_date\nMRN-A,D-dimer,2021-03-04,2021-03-01\n';
    const days = rowsOf(parseClinicalSheet({ node: BASE_DICTIONARY.node('measurement')!, text, format: 'csv', file: 'm.csv' }));
    expect(days[0]!.values).toEqual({ test_name: 'D-dimer', days_to_test: 3 });

    const shiftedNode = SHIFTED.node('measurement')!;
    const dated = rowsOf(parseClinicalSheet({ node: shiftedNode, text, format: 'csv', file: 'm.csv' }));
    expect(dated[0]!.values).toEqual({ test_name: 'D-dimer', test_date: '2021-03-04' });
    const shift = clinicalDateShift('MRN-A', KEYS, DEFAULT_PROFILE);
    const stored = shiftRowDates(shiftedNode, dated[0]!.values, shift);
    expect(stored).toEqual({ test_name: 'D-dimer', test_date: shiftClinicalDate('2021-03-04', shift) });
    expect(JSON.stringify(stored)).not.toContain('2021-03-04');
  });

  it('refuses days in shift mode and a bad date, naming the column, never the value', () => {
    const node = SHIFTED.node('condition')!;
    const result = parseClinicalSheet({
      node,
      text: 'case_id,condition_code,condition_start_date,condition_end_date\nMRN-A,I10,2021-04-31,\nMRN-A,J12,2021-05-02,2021-05-01\n',
      format: 'csv',
      file: 'condition.csv',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(({ row, column, code }) => ({ row, column, code }))).toEqual([
      { row: 2, column: 'condition_start_date', code: 'bad_date' },
      { row: 3, column: 'condition_end_date', code: 'end_before_start' },
    ]);
    const days = parseClinicalSheet({
      node,
      text: 'case_id,condition_code,days_to_condition_start\nMRN-A,I10,3\n',
      format: 'csv',
      file: 'c.csv',
    });
    expect(days.ok ? [] : days.errors.map((e) => e.code)).toEqual(['unknown_column']);
    expect(JSON.stringify(result.errors)).not.toMatch(/2021|MRN/);
  });

  it('types the date properties as dates, keys and orders records by them, and gives the case its index date', () => {
    const imaging = SHIFTED.node('imaging_study')!;
    expect(imaging.key).toEqual(['study_modality', 'study_date']);
    expect(imaging.properties.find((p) => p.name === 'study_date')).toMatchObject({
      type: 'date',
      required: true,
      daysProperty: 'days_to_study',
    });
    expect(SHIFTED.node('condition')!.properties.find((p) => p.name === 'condition_end_date')).toMatchObject({
      notBefore: 'condition_start_date',
    });
    expect(SHIFTED.node('case')!.properties.map((p) => p.name)).toContain('index_date');
    expect(SHIFTED.nodes.flatMap((n) => n.properties).filter((p) => p.type === 'days')).toEqual([]);
    expect(dictionaryForDates(BASE_DICTIONARY, 'days_from_index')).toBe(BASE_DICTIONARY);
  });

  it("reads the project's mode from its settings, with its dictionary extension", () => {
    expect(clinicalDateModeOf(undefined)).toBe('days_from_index');
    expect(clinicalDateModeOf({ clinicalDates: 'shifted' })).toBe('shifted');
    const smoking = {
      node: 'smoking',
      version: '0.1.0',
      description: 'Tobacco use.',
      key: ['days_to_quit'],
      properties: [
        { name: 'case_id', type: 'string', required: true, description: 'The case.' },
        { name: 'days_to_quit', type: 'days', dateColumn: 'quit_date', description: 'Days from the index event to quitting.' },
      ],
    };
    const dictionary = projectClinicalDictionary({ settings: { clinicalDates: 'shifted' }, clinicalDictionary: { nodes: [smoking] } });
    expect(dictionary.node('smoking')).toMatchObject({
      key: ['quit_date'],
      properties: [{ name: 'case_id' }, { name: 'quit_date', type: 'date' }],
    });
  });
});

describe('the clinicalDates setting', () => {
  it('takes either mode under a profile that shifts dates, and nothing else', () => {
    expect(clinicalDatesSettingProblem(undefined, DEFAULT_PROFILE)).toBeUndefined();
    expect(clinicalDatesSettingProblem({ clinicalDates: 'shifted' }, DEFAULT_PROFILE)).toBeUndefined();
    expect(clinicalDatesSettingProblem({ clinicalDates: 'days_from_index' }, BASIC_PROFILE)).toBeUndefined();
    expect(clinicalDatesSettingProblem({ clinicalDates: 'dates' }, DEFAULT_PROFILE)).toMatch(/must be one of: days_from_index, shifted/);
    expect(clinicalDatesSettingProblem({ clinicalDates: 'shifted' }, BASIC_PROFILE)).toMatch(
      /needs a de-identification profile that shifts dates/,
    );
  });
});

describe('the consistency checks read either mode alike', () => {
  const daysCase = (values: Record<string, ClinicalValue>[]) => values.map((v) => ({ node: 'imaging_study', values: v }));
  it('finds the same problems in a shifted case as in its days-from-index twin', () => {
    const shift = clinicalDateShift('MRN-A', KEYS, DEFAULT_PROFILE);
    const index = '2021-03-01';
    const inDays: CaseClinical = {
      ageAtIndex: 40,
      records: [
        ...daysCase([{ study_modality: 'CT', days_to_study: 3, age_at_imaging: 52 }]),
        { node: 'covid19_vaccination', values: { vaccine_dose: 1, days_to_vaccination: 30 } },
        { node: 'covid19_vaccination', values: { vaccine_dose: 2, days_to_vaccination: 10 } },
        { node: 'measurement', values: { test_name: 'D-dimer', days_to_test: -20_000 } },
      ],
    };
    const date = (days: number) =>
      shiftClinicalDate(new Date(Date.parse(`${index}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10), shift)!;
    const inDates: CaseClinical = {
      ageAtIndex: 40,
      records: [
        { node: 'imaging_study', values: { study_modality: 'CT', study_date: date(3), age_at_imaging: 52 } },
        { node: 'covid19_vaccination', values: { vaccine_dose: 1, vaccination_date: date(30) } },
        { node: 'covid19_vaccination', values: { vaccine_dose: 2, vaccination_date: date(10) } },
        { node: 'measurement', values: { test_name: 'D-dimer', test_date: date(-20_000) } },
      ],
    };
    const expected = clinicalInconsistencies(inDays);
    expect(expected).toHaveLength(3);
    expect(clinicalInconsistencies(caseClinicalOnIndexTimeline(SHIFTED, inDates, shiftClinicalDate(index, shift)))).toEqual(expected);
    // Without the case's index date only the order of the doses can be checked.
    expect(clinicalInconsistencies(caseClinicalOnIndexTimeline(SHIFTED, inDates, undefined))).toEqual([
      'covid19_vaccination doses are out of order: a later dose has an earlier day',
    ]);
  });
});
