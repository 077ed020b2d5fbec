/**
 * Who may see and download which data: the rule every data route applies (search,
 * GET /studies, files, archives, cohorts and manifests, DRS, DICOMweb).
 *
 * | role       | open     | restricted                            | sequestered |
 * | researcher | download | with a grant (project, or cohort's studies) | never |
 * | curator    | all      | all                                   | all         |
 *
 * A restricted project whose settings say `countsVisible: true` also counts in a
 * researcher's search totals and facets without a grant (never as rows, files or manifests).
 * Grants expire: an expired grant is ignored here even before DynamoDB's TTL deletes it.
 *
 * A project that sequesters part of its cases (settings `sequestrationShare`, docs/sequestration.md)
 * shows a researcher only the studies a release assigned to its open set: a sequestered case's
 * studies, and studies no release assigned yet, are withheld like a sequestered project's.
 */
import type { Caller } from './caller';
import type { Availability, Grant, Project } from '../catalog/commons-entities';
import { sequestrationShareOf } from '../catalog/sequestration/ledger';
import { holds } from './roles';

export type Scope = 'all' | ReadonlySet<string>;

export function isGrantActive(grant: Pick<Grant, 'expiresAt'>, now: Date): boolean {
  return !grant.expiresAt || Date.parse(grant.expiresAt) > now.getTime();
}

export function activeGrants<G extends Grant>(grants: readonly G[], now: Date): G[] {
  return grants.filter((g) => isGrantActive(g, now));
}

/** Curators see every project and every study. */
export function seesEverything(caller: Pick<Caller, 'groups' | 'uploaderSites'>): boolean {
  return holds(caller, 'curator');
}

export function mayResearcherSee(availability: Availability, granted: boolean): boolean {
  return availability === 'open' || (availability === 'restricted' && granted);
}

/** Projects whose studies the caller may see as rows and download (project grants only; cohort grants are per study). */
export function dataScope(
  caller: Pick<Caller, 'groups' | 'uploaderSites'>,
  projects: readonly Project[],
  grants: readonly Grant[],
  now = new Date(),
): Scope {
  if (seesEverything(caller)) return 'all';
  const granted = new Set(activeGrants(grants, now).flatMap((g) => (g.project && !g.cohortId ? [g.project] : [])));
  return new Set(projects.filter((p) => mayResearcherSee(p.availability, granted.has(p.projectId))).map((p) => p.projectId));
}

/** Projects whose studies count in the caller's search totals: the data scope plus restricted projects that show counts. */
export function countScope(
  caller: Pick<Caller, 'groups' | 'uploaderSites'>,
  projects: readonly Project[],
  grants: readonly Grant[],
  now = new Date(),
): Scope {
  const data = dataScope(caller, projects, grants, now);
  if (data === 'all') return data;
  const counted = new Set(data);
  for (const p of projects) if (p.availability === 'restricted' && p.settings?.countsVisible === true) counted.add(p.projectId);
  return counted;
}

export function inScope(scope: Scope, project: string): boolean {
  return scope === 'all' || scope.has(project);
}

/** Everything one request needs to decide per study: projects, active grants, the members of cohort-granted cohorts. */
export interface AccessContext {
  readonly caller: Pick<Caller, 'subject' | 'groups' | 'uploaderSites'>;
  readonly projects: ReadonlyMap<string, Project>;
  readonly grants: readonly Grant[];
  /** Study UIDs of each cohort a cohort grant names (its cohort's studies in the grant's projects). */
  readonly cohortMembers: ReadonlyMap<string, ReadonlySet<string>>;
  readonly now: Date;
  /**
   * For each project that sequesters, the study UIDs its latest release assigned to the open
   * set. A sequestering project missing here shows no study at all (the rule fails closed).
   */
  readonly openStudies?: ReadonlyMap<string, ReadonlySet<string>>;
}

export type StudyDecision =
  | { readonly allowed: true; readonly basis: 'curator' | 'open' | 'project-grant' | 'cohort-grant'; readonly grantId?: string }
  | { readonly allowed: false; readonly basis: 'unknown-project' | 'sequestered' | 'restricted-without-grant' };

/** May the caller get this study's data (rows, files, objects, headers)? */
export function decideStudy(ctx: AccessContext, study: { readonly studyUid: string; readonly project: string }): StudyDecision {
  if (seesEverything(ctx.caller)) return { allowed: true, basis: 'curator' };
  const project = ctx.projects.get(study.project);
  if (!project) return { allowed: false, basis: 'unknown-project' };
  if (sequestrationShareOf(project) !== undefined && ctx.openStudies?.get(project.projectId)?.has(study.studyUid) !== true)
    return { allowed: false, basis: 'sequestered' };
  if (project.availability === 'open') return { allowed: true, basis: 'open' };
  if (project.availability === 'sequestered') return { allowed: false, basis: 'sequestered' };
  for (const grant of activeGrants(ctx.grants, ctx.now)) {
    if (grant.cohortId) {
      if ((grant.cohortProjects ?? []).includes(study.project) && ctx.cohortMembers.get(grant.cohortId)?.has(study.studyUid)) {
        return { allowed: true, basis: 'cohort-grant', ...(grant.grantId ? { grantId: grant.grantId } : {}) };
      }
    } else if (grant.project === study.project) {
      return { allowed: true, basis: 'project-grant', ...(grant.grantId ? { grantId: grant.grantId } : {}) };
    }
  }
  return { allowed: false, basis: 'restricted-without-grant' };
}

/** Projects a researcher is shown in the project list: open and restricted ones (to request); sequestered ones never. */
export function listedProjects<P extends Pick<Project, 'availability'>>(projects: readonly P[]): P[] {
  return projects.filter((p) => p.availability !== 'sequestered');
}
