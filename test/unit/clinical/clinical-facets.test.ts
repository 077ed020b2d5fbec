/**
 * Clinical records become search facets: a case's condition categories and its COVID-19 test
 * result reach the study's search row, and a snapshot stored before the condition facet existed
 * still decodes (every study `unknown` until the next rebuild).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Case } from '../../../layers/catalog/commons-entities';
import type { Study } from '../../../layers/catalog/entities';
import { studyRowOf } from '../../../layers/catalog/search-rows';
import { caseSummaryOf, type ClinicalRecord } from '../../../layers/clinical';
import { buildSnapshot, decodeSnapshot, encodeSnapshot, search } from '../../../layers/search';

const record = (node: string, values: ClinicalRecord['values']): ClinicalRecord => ({
  project: 'p',
  node,
  casePseudonym: 'c',
  recordId: JSON.stringify(values),
  site: 's',
  submissionId: 'sub',
  values,
  updatedAt: '2026-01-01T00:00:00Z',
});
const study = { studyUid: '2.25.7', project: 'p', site: 's', modalities: ['CT'], indexedAt: '2026-01-01T00:00:00Z' } as unknown as Study;
const baseCase: Case = { project: 'p', casePseudonym: 'c', site: 's', submissionId: 'sub', updatedAt: '2026-01-01T00:00:00Z' };

describe('the case summary from clinical records', () => {
  it('takes the ICD-10-CM categories of the conditions, once each, sorted', () => {
    const summary = caseSummaryOf('condition', [
      record('condition', { condition_code: 'U07.1' }),
      record('condition', { condition_code: 'J12.82' }),
      record('condition', { condition_code: 'U07.0' }),
    ]);
    expect(summary).toEqual({ conditions: ['J12', 'U07'] });
  });

  it('says Positive when any COVID-19 test was positive, Negative when the tests were negative, nothing for other labs', () => {
    const pcr = (result: string) => record('measurement', { test_name: 'SARS-CoV-2 RT-PCR', test_result_text: result, days_to_test: 0 });
    expect(caseSummaryOf('measurement', [pcr('Negative'), pcr('Positive')])).toEqual({ covid19Tested: 'Positive' });
    expect(caseSummaryOf('measurement', [pcr('Negative')])).toEqual({ covid19Tested: 'Negative' });
    expect(caseSummaryOf('measurement', [record('measurement', { test_name: 'D-dimer', test_result_value: 1 })])).toEqual({});
  });
});

describe("a study's search row", () => {
  it('carries the condition facet and a positive test as covid19 Yes, over a case sheet that said No', () => {
    const row = studyRowOf(study, { ...baseCase, covid19Positive: 'No', covid19Tested: 'Positive', conditions: ['J12', 'U07'] }, 1);
    expect(row).toMatchObject({ covid19: 'Yes', conditions: ['J12', 'U07'] });
    const result = search(buildSnapshot([row]), { facets: { condition: ['U07'] } }, { scope: 'all', limit: 10 });
    expect(result.total).toBe(1);
    expect(result.facets.condition).toEqual([
      { value: 'J12', count: 1 },
      { value: 'U07', count: 1 },
    ]);
  });

  it('answers covid19 from a negative test only where the case sheet is silent', () => {
    expect(studyRowOf(study, { ...baseCase, covid19Tested: 'Negative' }, 1).covid19).toBe('No');
    expect(studyRowOf(study, { ...baseCase, covid19Positive: 'Yes', covid19Tested: 'Negative' }, 1).covid19).toBe('Yes');
  });
});

describe('a snapshot stored before the condition facet', () => {
  it('decodes with every study unknown for it', () => {
    const stored = encodeSnapshot(buildSnapshot([studyRowOf(study, { ...baseCase, conditions: ['U07'] }, 1)]));
    // Take the facet out of the stored header, as a snapshot written before it was added lacks it.
    const raw = gunzipSync(stored);
    const headerLength = raw.readUInt32LE(8);
    const header = JSON.parse(raw.subarray(12, 12 + headerLength).toString('utf8'));
    delete header.facets.condition;
    const newHeader = Buffer.from(JSON.stringify(header).padEnd(headerLength, ' '));
    const old = Buffer.concat([raw.subarray(0, 12), newHeader, raw.subarray(12 + headerLength)]);
    const decoded = decodeSnapshot(gzipSync(old));
    expect(search(decoded, {}, { scope: 'all', limit: 10 }).facets.condition).toEqual([{ value: 'unknown', count: 1 }]);
  });
});
