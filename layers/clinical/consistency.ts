/**
 * Whether a case's clinical records agree with each other, for the `submission.cases` QA rule.
 * Messages name nodes and properties, never values.
 */
import type { ClinicalValue } from './clinical-sheet';

export interface CaseClinical {
  /** Age at index in years, when known and not capped (a capped age bounds nothing). */
  readonly ageAtIndex?: number;
  readonly records: readonly { readonly node: string; readonly values: Readonly<Record<string, ClinicalValue>> }[];
}

const YEAR = 365.25;

export function clinicalInconsistencies({ ageAtIndex, records }: CaseClinical): string[] {
  const problems = new Set<string>();
  for (const r of records) {
    for (const [name, v] of Object.entries(r.values)) {
      // Days from index cannot reach back before the patient was born.
      if (name.startsWith('days_to_') && typeof v === 'number' && ageAtIndex !== undefined && v < -(ageAtIndex + 1) * YEAR)
        problems.add(`a ${r.node} record's ${name} lies before the patient's birth (earlier than the age at index allows)`);
    }
    if (r.node === 'imaging_study' && ageAtIndex !== undefined) {
      const age = r.values.age_at_imaging;
      const days = r.values.days_to_study;
      if (typeof age === 'number' && typeof days === 'number' && Math.abs(age - (ageAtIndex + days / YEAR)) > 1.01)
        problems.add("an imaging_study's age_at_imaging disagrees with the age at index and days_to_study");
    }
  }
  const doses = records
    .filter((r) => r.node === 'covid19_vaccination')
    .map((r) => ({ dose: Number(r.values.vaccine_dose), days: Number(r.values.days_to_vaccination) }))
    .sort((a, b) => a.dose - b.dose);
  for (let i = 1; i < doses.length; i += 1)
    if (doses[i]!.days < doses[i - 1]!.days) problems.add('covid19_vaccination doses are out of order: a later dose has an earlier day');
  return [...problems];
}
