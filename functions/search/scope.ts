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

/**
 * The project list, cached briefly; reloaded at once when a project in play is
 * not in it (a project registered by its first publication must not stay hidden
 * until the cache expires).
 */
export async function projectList(inPlay: Iterable<string> = []): Promise<Project[]> {
  const known = (list: Project[]) => new Set(list.map((p) => p.projectId));
  const stale = !projects || Date.now() - projects.at >= cacheTtlMs() || [...inPlay].some((p) => !known(projects!.list).has(p));
  if (stale) projects = { at: Date.now(), list: await catalog().listProjects() };
  return projects!.list;
}

/** The caller's scope; `inPlay`: the projects about to be filtered (see projectList). */
export async function scopeOf(caller: Caller, inPlay: Iterable<string> = []): Promise<Scope> {
  if (hasRole(caller, 'curator')) return 'all';
  const [list, grants] = await Promise.all([projectList(inPlay), catalog().grantsFor(caller)]);
  return visibleProjects(caller, list, grants);
}
