/**
 * `hilum upload --clinical DIR` at the site: sheets named by node, every error of every sheet
 * at once before anything is sent, dates turned into days with case.csv's index dates so no
 * date leaves the site, case-level sheets first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClinicalSheetsInvalid, prepareClinicalDir, shiftPreparedSheets } from '../../../cli/lib/clinical-dir';
import { clinicalDateShift, shiftClinicalDate } from '../../../layers/clinical';
import { DEFAULT_PROFILE } from '../../../layers/dicom';
import { UsageError } from '../../../cli/command';

describe('prepareClinicalDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hilum-clinical-dir-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('converts the dates of every sheet with the index dates of case.csv and puts the case-level sheets first', async () => {
    await writeFile(join(dir, 'visit.tsv'), 'case_id\tvisit_type\tvisit_start_date\tvisit_end_date\nMRN-1\tICU\t2022-01-03\t2022-01-10\n');
    await writeFile(join(dir, 'demographics.json'), JSON.stringify([{ case_id: 'MRN-1', age_at_index: 97 }]));
    await writeFile(join(dir, 'case.csv'), 'case_id,index_date\nMRN-1,2022-01-01\n');
    const sheets = await prepareClinicalDir(dir);
    expect(sheets).toEqual([
      { node: 'case', file: 'case.csv', records: 1, body: [{ case_id: 'MRN-1' }] },
      { node: 'demographics', file: 'demographics.json', records: 1, body: [{ case_id: 'MRN-1', age_at_index: '90+' }] },
      {
        node: 'visit',
        file: 'visit.tsv',
        records: 1,
        body: [{ case_id: 'MRN-1', visit_type: 'ICU', days_to_visit_start: 2, days_to_visit_end: 9 }],
      },
    ]);
  });

  it('lists the errors of all sheets at once and sends nothing', async () => {
    await writeFile(join(dir, 'case.csv'), 'case_id,covid19_positive\nMRN-1,perhaps\n');
    await writeFile(join(dir, 'condition.csv'), 'case_id,condition_code,condition_start_date\nMRN-1,not-icd,2022-01-01\n');
    const error = await prepareClinicalDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClinicalSheetsInvalid);
    expect((error as ClinicalSheetsInvalid).errors.map((e) => [e.file, e.row, e.column, e.code])).toEqual([
      ['case.csv', 2, 'covid19_positive', 'not_in_enum'],
      ['condition.csv', 2, 'condition_code', 'bad_code'],
      ['condition.csv', 2, 'condition_start_date', 'date_without_index'],
    ]);
    expect((error as Error).message).not.toMatch(/perhaps|not-icd|MRN/);
  });

  it('refuses a file that names no node', async () => {
    await writeFile(join(dir, 'labs.csv'), 'case_id\nA\n');
    await expect(prepareClinicalDir(dir)).rejects.toBeInstanceOf(UsageError);
  });
  it("shifts a shifted-dates project's dates at the site with each patient's image shift, so no date is sent", async () => {
    await writeFile(join(dir, 'case.csv'), 'case_id,index_date\nMRN-1,2022-01-01\nMRN-2,2022-02-01\n');
    await writeFile(join(dir, 'visit.csv'), 'case_id,visit_type,visit_start_date\nMRN-1,ICU,2022-01-03\nMRN-2,ICU,2022-02-03\n');
    const prepared = await prepareClinicalDir(dir, 'shifted');
    expect(prepared.find((p) => p.node === 'visit')!.body).toEqual([
      { case_id: 'MRN-1', visit_type: 'ICU', visit_start_date: '2022-01-03' },
      { case_id: 'MRN-2', visit_type: 'ICU', visit_start_date: '2022-02-03' },
    ]);
    const keys = { secret: 'site-secret', project: 'p', site: 'site-a' };
    const sent = shiftPreparedSheets(prepared, keys, DEFAULT_PROFILE);
    const shift = (id: string) => clinicalDateShift(id, keys, DEFAULT_PROFILE);
    expect(sent).toEqual([
      {
        node: 'case',
        file: 'case.csv',
        records: 2,
        datesShifted: true,
        body: [
          { case_id: 'MRN-1', index_date: shiftClinicalDate('2022-01-01', shift('MRN-1')) },
          { case_id: 'MRN-2', index_date: shiftClinicalDate('2022-02-01', shift('MRN-2')) },
        ],
      },
      {
        node: 'visit',
        file: 'visit.csv',
        records: 2,
        datesShifted: true,
        body: [
          { case_id: 'MRN-1', visit_type: 'ICU', visit_start_date: shiftClinicalDate('2022-01-03', shift('MRN-1')) },
          { case_id: 'MRN-2', visit_type: 'ICU', visit_start_date: shiftClinicalDate('2022-02-03', shift('MRN-2')) },
        ],
      },
    ]);
    expect(JSON.stringify(sent)).not.toMatch(/2022-0[12]-0[13]/);
  });

  it('refuses days from index in a shifted-dates project', async () => {
    await writeFile(join(dir, 'case.csv'), 'case_id\nMRN-1\n');
    await writeFile(join(dir, 'visit.csv'), 'case_id,visit_type,days_to_visit_start\nMRN-1,ICU,2\n');
    await expect(prepareClinicalDir(dir, 'shifted')).rejects.toBeInstanceOf(ClinicalSheetsInvalid);
  });
});
