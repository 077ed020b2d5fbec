/**
 * The caller's project scopes for listings, from the authorization module
 * (layers/access/data.ts) over the projects (cached briefly: they change rarely)
 * and the caller's grants (read per request: a revoked grant takes effect at once).
 */
import type { Project } from '../catalog/commons-entities';
import { countScope, dataScope, seesEverything, type Scope } from '../access';
import type { Caller } from '../access/caller';
import { accessRepository, projectRepository } from './commons-context';
import { cacheTtlMs } from './snapshot-store';
import { withheldRowsOf } from './sequestration-store';
import type { Snapshot } from '../search';

let projects: { at: number; list: Project[] } | undefined;

/**
 * The project list, cached briefly; reloaded at once when a project in play is
 * not in it (a project a curator created after the list was loaded must not stay
 * hidden until the cache expires).
 */
export async function projectList(inPlay: Iterable<string> = []): Promise<Project[]> {
  const known = (list: Project[]) => new Set(list.map((p) => p.projectId));
  const stale = !projects || Date.now() - projects.at >= cacheTtlMs() || [...inPlay].some((p) => !known(projects!.list).has(p));
  if (stale) projects = { at: Date.now(), list: await projectRepository().listProjects() };
  return projects!.list;
}

/** Projects whose studies the caller may see as rows and download; `inPlay`: the projects about to be filtered. */
export const scopeOf = (caller: Caller, inPlay: Iterable<string> = []) => scopeBy(dataScope, caller, inPlay);

/** Projects whose studies count in the caller's search totals (the data scope plus restricted projects that show counts). */
export const countScopeOf = (caller: Caller, inPlay: Iterable<string> = []) => scopeBy(countScope, caller, inPlay);

/** A scope decided by layers/access over the project list and the caller's grants. */
async function scopeBy(decide: typeof dataScope, caller: Caller, inPlay: Iterable<string>): Promise<Scope> {
  if (seesEverything(caller)) return 'all';
  const [list, grants] = await Promise.all([projectList(inPlay), accessRepository().grantsFor(caller)]);
  return decide(caller, list, grants);
}

/**
 * The snapshot rows withheld from the caller although their project is in scope: the studies of
 * sequestering projects that no release assigned open (docs/sequestration.md). None for curators.
 */
export async function withheldRowsFor(caller: Caller, snapshot: Snapshot): Promise<Uint8Array | undefined> {
  if (seesEverything(caller)) return undefined;
  return withheldRowsOf(snapshot, await projectList(snapshot.facets.project.values));
}
