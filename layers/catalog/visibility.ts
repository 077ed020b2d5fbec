/**
 * Who may see which project: the one rule every listing applies (search, GET
 * /studies, study files, cohorts and manifests). Curators see everything;
 * researchers see open projects, and restricted ones they hold a grant for;
 * sequestered projects are never listed to researchers.
 */
import type { Caller } from '../common/auth';
import { hasRole } from '../common/auth';
import type { Availability, Grant, Project } from './commons-entities';

/** Where grants come from. The access-request issue issues them; the catalog table stores them. */
export interface GrantSource {
  grantsFor(caller: Caller): Promise<readonly Grant[]>;
}

export type Scope = 'all' | ReadonlySet<string>;

/** The projects a caller may see, or 'all' for curators. */
export function visibleProjects(caller: Caller, projects: readonly Project[], grants: readonly Grant[], now = new Date()): Scope {
  if (hasRole(caller, 'curator')) return 'all';
  const granted = new Set(grants.filter((g) => !g.expiresAt || Date.parse(g.expiresAt) > now.getTime()).map((g) => g.project));
  return new Set(projects.filter((p) => mayResearcherSee(p.availability, granted.has(p.projectId))).map((p) => p.projectId));
}

export function mayResearcherSee(availability: Availability, granted: boolean): boolean {
  return availability === 'open' || (availability === 'restricted' && granted);
}

export function inScope(scope: Scope, project: string): boolean {
  return scope === 'all' || scope.has(project);
}
