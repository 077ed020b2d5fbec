/**
 * A clinical record as the commons keeps it (one row of a node's sheet, its case pseudonymized,
 * no date), and what a case's records say about the case for search: its condition categories,
 * its COVID-19 test result, its demographics from the case-level nodes.
 */
import type { CaseDemographics } from './case-sheet';
import { AGE_CAP, type ClinicalValue } from './clinical-sheet';
import { COVID19_TESTS } from './dictionary';

export interface ClinicalRecord {
  readonly project: string;
  readonly node: string;
  readonly casePseudonym: string;
  /** Stable per node, case and the node's key values (clinicalRecordId): a sheet sent again replaces it. */
  readonly recordId: string;
  readonly site: string;
  readonly submissionId: string;
  readonly values: Readonly<Record<string, ClinicalValue>>;
  readonly updatedAt: string;
}

/**
 * The case fields a case-level record sets (`case`, `demographics`), in the Case entity's names.
 * A property the sheet leaves empty leaves the case's value as it was.
 */
export function caseFieldsOf(node: string, values: Readonly<Record<string, ClinicalValue>>): Partial<CaseDemographics> {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const out: Record<string, unknown> = {};
  if (node === 'case') {
    out.indexEvent = text('index_event');
    out.covid19Positive = text('covid19_positive');
  } else if (node === 'demographics') {
    const age = values.age_at_index;
    if (age !== undefined) {
      // The Case entity keeps the capped age as 89 with a flag (search bands and ranges are numeric).
      out.ageAtIndex = age === AGE_CAP ? 89 : Number(age);
      out.ageCapped = age === AGE_CAP;
    }
    out.sex = text('sex');
    out.race = text('race');
    out.ethnicity = text('ethnicity');
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as Partial<CaseDemographics>;
}

/**
 * The case-level records a cases.csv row stands for (the inverse of caseFieldsOf): its
 * demographics (age at index, "90+" when capped; sex, race, ethnicity) and its case node's
 * covid19_positive, each only with the properties the row gave, so the clinical tables, cohorts
 * and exports see what search sees. A node the row gave nothing of is absent.
 */
export function caseSheetRecordValues(row: CaseDemographics): { node: 'demographics' | 'case'; values: Record<string, ClinicalValue> }[] {
  const demographics: Record<string, ClinicalValue> = {};
  if (row.ageAtIndex !== undefined) demographics.age_at_index = row.ageCapped ? AGE_CAP : row.ageAtIndex;
  if (row.sex !== undefined) demographics.sex = row.sex;
  if (row.race !== undefined) demographics.race = row.race;
  if (row.ethnicity !== undefined) demographics.ethnicity = row.ethnicity;
  return [
    ...(Object.keys(demographics).length ? [{ node: 'demographics' as const, values: demographics }] : []),
    ...(row.covid19Positive !== undefined ? [{ node: 'case' as const, values: { covid19_positive: row.covid19Positive } }] : []),
  ];
}

/** What a case's records of one node contribute to its search summary; undefined fields: nothing to say. */
export function caseSummaryOf(node: string, records: readonly ClinicalRecord[]): Pick<CaseDemographics, 'conditions' | 'covid19Tested'> {
  if (node === 'condition') {
    const categories = [...new Set(records.map((r) => String(r.values.condition_code ?? '').slice(0, 3)).filter(Boolean))].sort();
    return { conditions: categories };
  }
  if (node === 'measurement') {
    const covid = records.filter((r) => (COVID19_TESTS as readonly string[]).includes(String(r.values.test_name)));
    const results = covid.map((r) => r.values.test_result_text);
    if (results.includes('Positive')) return { covid19Tested: 'Positive' };
    if (results.includes('Negative')) return { covid19Tested: 'Negative' };
  }
  return {};
}

/** The nodes whose records change a case's search summary. */
export const SUMMARY_NODES: ReadonlySet<string> = new Set(['condition', 'measurement']);
