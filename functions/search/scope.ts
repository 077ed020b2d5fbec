/**
 * The caller's project scope, for every listing: the visibility rule
 * (layers/catalog/visibility.ts) over the projects (cached briefly: they change
 * rarely) and the caller's grants (read per request: a revoked grant takes effect at once).
 */
import type { Project } from '../../layers/catalog/commons-entities';
import { visibleProjects, type Scope } from '../../layers/catalog/visibility';
import { hasRole, type Caller } from '../../layers/common/auth';
import { catalog } from '../shared/context';
import { cacheTtlMs } from './store';

let projects: { at: number; list: Project[] } | undefined;

export async function projectList(): Promise<Project[]> {
  if (!projects || Date.now() - projects.at >= cacheTtlMs()) projects = { at: Date.now(), list: await catalog().listProjects() };
  return projects.list;
}

export async function scopeOf(caller: Caller): Promise<Scope> {
  if (hasRole(caller, 'curator')) return 'all';
  const [list, grants] = await Promise.all([projectList(), catalog().grantsFor(caller)]);
  return visibleProjects(caller, list, grants);
}
