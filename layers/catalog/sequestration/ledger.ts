/**
 * A release's sequestration ledger: per project, every case of the release with its profile,
 * its assignment (open or sequestered, and the release that made it) and the balance report.
 * Written at each cut (curators' object in the released bucket, never served to researchers);
 * the next cut reads it to keep earlier assignments, and the access rules read which studies
 * are open.
 *
 * A project sequesters when its settings carry `sequestrationShare` (0..1; docs/sequestration.md);
 * its studies are then shown to researchers only once a release assigned their case to the
 * open set. Projects without it are written with every case open and no report.
 */
import type { Project } from '../commons-entities';
import type { BalanceReport } from './balance';
import { balanceReport } from './balance';
import type { CaseProfile } from './case-profiles';
import { assignCases, DEFAULT_SEQUESTERED_SHARE, type CaseAssignment } from './split';

export interface LedgerCase extends CaseProfile, Omit<CaseAssignment, 'caseId'> {}

export interface ProjectLedger {
  readonly project: string;
  /** The share this release drew new cases with; absent: the project does not sequester. */
  readonly share?: number;
  /** The project's own label the split stratified on (a case attribute of that name); absent: COVID-19 status. */
  readonly label?: string;
  readonly cases: readonly LedgerCase[];
  readonly balance?: BalanceReport;
}

export interface SequestrationLedger {
  readonly release: number;
  readonly projects: readonly ProjectLedger[];
}

/** The share a project's settings ask for, or undefined when it does not sequester. */
export function sequestrationShareOf(project: Pick<Project, 'settings'> | undefined): number | undefined {
  const setting = project?.settings?.sequestrationShare;
  if (setting === undefined || setting === false) return undefined;
  if (setting === true) return DEFAULT_SEQUESTERED_SHARE;
  const share = Number(setting);
  return share >= 0 && share <= 1 ? share : DEFAULT_SEQUESTERED_SHARE;
}

/**
 * One project's ledger at a release: earlier assignments kept, new cases drawn (or all open when
 * it does not sequester), stratified on the project's own label when it names one (`label`).
 */
export function projectLedger(
  project: string,
  release: number,
  share: number | undefined,
  cases: readonly CaseProfile[],
  earlier: ProjectLedger | undefined,
  label?: string,
): ProjectLedger {
  const before = new Map((earlier?.cases ?? []).map((c) => [c.caseId, { caseId: c.caseId, set: c.set, release: c.release }]));
  const assignments =
    share === undefined
      ? cases.map((c) => before.get(c.caseId) ?? { caseId: c.caseId, set: 'open' as const, release })
      : assignCases({ project, release, share, cases, earlier: before, ...(label ? { stratifyBy: label } : {}) });
  const byCase = new Map(assignments.map((a) => [a.caseId, a]));
  const ledgerCases = cases.map((c) => ({ ...c, set: byCase.get(c.caseId)!.set, release: byCase.get(c.caseId)!.release }));
  return {
    project,
    ...(label ? { label } : {}),
    ...(share === undefined ? {} : { share, balance: balanceReport(cases, assignments, label) }),
    cases: ledgerCases,
  };
}

/** Study UIDs of a project's open cases. */
export function openStudyUids(ledger: ProjectLedger | undefined): Set<string> {
  return new Set((ledger?.cases ?? []).filter((c) => c.set === 'open').flatMap((c) => c.studyUids));
}

/** A project's sequestered cases, in case id order. */
export function sequesteredCasesOf(ledger: SequestrationLedger, project: string): LedgerCase[] {
  return (ledger.projects.find((p) => p.project === project)?.cases ?? []).filter((c) => c.set === 'sequestered');
}
