/**
 * Storing one validated clinical sheet of a submission. Every row's case id is pseudonymized
 * with the project key exactly as PatientID is (so a case joins its studies); a record of a
 * node below the case must name a case the project has (sent in a `case` or `demographics`
 * sheet, or cases.csv). Any refused row refuses the whole sheet before anything is written,
 * so what was stored stays as it was. The case-level nodes update the case itself; condition
 * and measurement records refresh the case's search summary (its condition categories and
 * COVID-19 test result). In a shifted-dates project (docs/clinical-dictionary.md) the rows'
 * dates are shifted here, with the images' per-patient shift, beside the pseudonym: the only
 * exception is a sheet the site shifted itself (it de-identifies at the site with the same key).
 */
import type { Case } from '../catalog/commons-entities';
import type { Submission } from '../catalog/entities';
import {
  BASE_DICTIONARY,
  CASE_LEVEL_NODES,
  SUMMARY_NODES,
  caseSheetRecordValues,
  casePseudonym,
  caseFieldsOf,
  caseSummaryOf,
  clinicalDateShift,
  clinicalRecordId,
  hasDateProperties,
  shiftRowDates,
  type CaseDemographics,
  type ClinicalRecord,
  type ClinicalRow,
  type NodeDef,
  type SheetError,
} from '../clinical';
import { profileForProject } from '../dicom';
import { clinicalRepository, deidKeyFor, projectRepository } from './commons-context';

export type ClinicalIntakeResult =
  | { readonly ok: true; readonly records: number; readonly cases: number; readonly agesCapped: number }
  | { readonly ok: false; readonly errors: readonly SheetError[] };

export async function storeClinicalSheet(
  submission: Pick<Submission, 'submissionId' | 'project' | 'site' | 'deidKeyVersion'>,
  node: NodeDef,
  file: string,
  rows: readonly ClinicalRow[],
  options: { readonly datesShiftedAtSite?: boolean } = {},
): Promise<ClinicalIntakeResult> {
  const secret = await deidKeyFor(submission);
  const keys = { secret, project: submission.project, site: submission.site };
  const pseudonyms = rows.map((r) => casePseudonym(r.caseId, keys));
  // A node with date properties (a shifted-dates project's) never has its dates stored as the site sent them.
  const profile = profileForProject(submission.project);
  const shiftDates = hasDateProperties(node) && options.datesShiftedAtSite !== true;
  const valuesOf = (r: ClinicalRow) => (shiftDates ? shiftRowDates(node, r.values, clinicalDateShift(r.caseId, keys, profile)) : r.values);
  const existing = new Map((await projectRepository().listCases(submission.project)).map((c) => [c.casePseudonym, c]));
  const caseLevel = CASE_LEVEL_NODES.has(node.node);

  if (!caseLevel) {
    const errors: SheetError[] = [];
    rows.forEach((r, i) => {
      if (!existing.has(pseudonyms[i]!))
        errors.push({
          file,
          row: r.row,
          column: 'case_id',
          code: 'unknown_case',
          message: 'names no case of the project: send the case in case.csv (or demographics.csv) first, with the PatientID of its studies',
        });
    });
    if (errors.length) return { ok: false, errors };
  }

  const now = new Date().toISOString();
  const records: ClinicalRecord[] = rows.map((r, i) => {
    const values = valuesOf(r);
    return {
      project: submission.project,
      node: node.node,
      casePseudonym: pseudonyms[i]!,
      recordId: clinicalRecordId(node, pseudonyms[i]!, values),
      site: submission.site,
      submissionId: submission.submissionId,
      values,
      updatedAt: now,
    };
  });
  await clinicalRepository().putRecords(records);

  const touched = [...new Set(pseudonyms)];
  const updated: Case[] = [];
  if (caseLevel) {
    records.forEach((r) => {
      const before = existing.get(r.casePseudonym);
      const next: Case = {
        ...(before ?? {}),
        ...caseFieldsOf(node.node, r.values),
        project: submission.project,
        casePseudonym: r.casePseudonym,
        site: before?.site ?? submission.site,
        submissionId: submission.submissionId,
        updatedAt: now,
      };
      existing.set(r.casePseudonym, next);
    });
    updated.push(...touched.map((p) => existing.get(p)!));
  } else if (SUMMARY_NODES.has(node.node)) {
    for (const pseudonym of touched) {
      const all = await clinicalRepository().listCaseNode(submission.project, node.node, pseudonym);
      updated.push({
        ...existing.get(pseudonym)!,
        ...caseSummaryOf(node.node, all),
        submissionId: submission.submissionId,
        updatedAt: now,
      });
    }
  }
  if (updated.length) await projectRepository().putCases(updated);
  const agesCapped = records.filter((r) => Object.values(r.values).includes('90+')).length;
  return { ok: true, records: records.length, cases: touched.length, agesCapped };
}

/**
 * The clinical records of cases.csv's cases (the older sheet updates the Case entity for search):
 * each case's demographics and case records, the row's values merged onto the stored record's (a
 * property the sheet leaves empty keeps its value), so the demographics table, cohorts and the FHIR
 * export hold what search shows.
 */
export async function storeCaseSheetRecords(
  submission: Pick<Submission, 'submissionId' | 'project' | 'site'>,
  cases: readonly (CaseDemographics & { readonly casePseudonym: string })[],
): Promise<number> {
  const now = new Date().toISOString();
  const stored = new Map<string, ClinicalRecord>();
  for (const node of ['demographics', 'case'])
    for (const r of await clinicalRepository().listNode(submission.project, node)) stored.set(`${node}\0${r.casePseudonym}`, r);
  const records: ClinicalRecord[] = cases.flatMap((c) =>
    caseSheetRecordValues(c).map(({ node, values }) => {
      const merged = { ...stored.get(`${node}\0${c.casePseudonym}`)?.values, ...values };
      return {
        project: submission.project,
        node,
        casePseudonym: c.casePseudonym,
        recordId: clinicalRecordId(BASE_DICTIONARY.node(node)!, c.casePseudonym, merged),
        site: submission.site,
        submissionId: submission.submissionId,
        values: merged,
        updatedAt: now,
      };
    }),
  );
  await clinicalRepository().putRecords(records);
  return records.length;
}
