/**
 * The unit sequestration assigns: a case (one patient of one project) with the attributes the
 * split balances. Built from a release's search rows, so the demographics are the ones search
 * shows (the case sheet first, DICOM where the site sent no case). A study without a patient
 * pseudonym is a case of its own.
 */
import { ageBand, UNKNOWN, type StudyRow } from '../../search/model';

/** The attributes the split balances, in the order it sorts by (the most important first). */
export const BALANCED_ATTRIBUTES = ['covid19', 'sex', 'ageBand', 'race', 'ethnicity', 'modality', 'site'] as const;
export type BalancedAttribute = (typeof BALANCED_ATTRIBUTES)[number];

/** The label the split stratifies on first unless the project defines its own (layers/clinical/case-label.ts). */
export const DEFAULT_STRATIFYING_LABEL = 'covid19';

/** A project's own label: its name (a case attribute beside the balanced ones) and each case's value (`Yes`, `No`, `unknown`). */
export interface ProjectLabel {
  readonly name: string;
  valueOf(casePseudonym: string): string;
}

export interface CaseProfile {
  /** The case pseudonym, or `study:<uid>` for a study without one. */
  readonly caseId: string;
  readonly project: string;
  readonly site: string;
  readonly studyUids: readonly string[];
  /** The balanced attributes, and the project's own label under its name when it defines one. */
  readonly attributes: Readonly<Record<BalancedAttribute, string>> & Readonly<Record<string, string>>;
}

/** A study row with the case it belongs to (its study's patient pseudonym). */
export interface CaseStudyRow {
  readonly row: StudyRow;
  readonly casePseudonym?: string;
}

export const caseIdOf = (row: CaseStudyRow): string => row.casePseudonym ?? `study:${row.row.studyUid}`;

/**
 * One profile per case of one project, sorted by case id. A case's demographics are its first
 * study's (they come from the case sheet, the same for every study); its modality is the sorted
 * union of its studies' modalities (`CT+DX`), its site the first study's. With the project's own
 * label, each case also holds its value (a study without a pseudonym has no clinical data: `unknown`).
 */
export function caseProfiles(project: string, rows: readonly CaseStudyRow[], label?: ProjectLabel): CaseProfile[] {
  const byCase = new Map<string, CaseStudyRow[]>();
  for (const r of rows) {
    if (r.row.project !== project) continue;
    const id = caseIdOf(r);
    const list = byCase.get(id) ?? [];
    list.push(r);
    byCase.set(id, list);
  }
  const profiles: CaseProfile[] = [];
  for (const [caseId, list] of byCase) {
    list.sort((a, b) => compare(a.row.studyUid, b.row.studyUid));
    const first = list[0]!.row;
    const modalities = [...new Set(list.flatMap((r) => r.row.modalities))].sort(compare);
    profiles.push({
      caseId,
      project,
      site: first.site,
      studyUids: list.map((r) => r.row.studyUid),
      attributes: {
        covid19: first.covid19 ?? UNKNOWN,
        sex: first.sex ?? UNKNOWN,
        ageBand: ageBand(first.age),
        race: first.race ?? UNKNOWN,
        ethnicity: first.ethnicity ?? UNKNOWN,
        modality: modalities.length ? modalities.join('+') : UNKNOWN,
        site: first.site,
        ...(label ? { [label.name]: list[0]!.casePseudonym ? label.valueOf(list[0]!.casePseudonym) : UNKNOWN } : {}),
      },
    });
  }
  return profiles.sort((a, b) => compare(a.caseId, b.caseId));
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
