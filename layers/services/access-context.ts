/**
 * Handler-side wiring of the authorization module: loads what a data decision
 * needs (projects, the caller's grants, members of cohort-granted cohorts) and
 * asks layers/access. Handlers never decide access themselves.
 */
import { activeGrants, decideStudy, seesEverything, type AccessContext, type StudyDecision } from '../access';
import type { Study } from '../catalog/entities';
import type { Caller } from '../access/caller';
import { NotFound } from '../common/errors';
import type { RequestAudit } from '../adapters/aws/request-audit';
import { accessRepository, publicationRepository, releaseRepository } from './commons-context';
import { memberUids } from './cohort-access';
import { projectList } from './caller-scope';
import { frozenSnapshot } from './snapshot-store';
import { openStudiesOf } from './sequestration-store';

/** Members of a cohort within some projects, per container (a cohort's release is frozen, so they never change). */
const members = new Map<string, Set<string>>();

async function cohortMembers(cohortId: string, projects: readonly string[]): Promise<Set<string>> {
  const key = `${cohortId}|${[...projects].sort().join(',')}`;
  const cached = members.get(key);
  if (cached) return cached;
  const cohort = await releaseRepository().getCohort(cohortId);
  const release = cohort ? await releaseRepository().getRelease(cohort.releaseNumber) : undefined;
  if (!cohort || !release) return new Set();
  const uids = memberUids(await frozenSnapshot(release.snapshotKey), cohort, new Set(projects));
  members.set(key, uids);
  return uids;
}

export async function accessContext(caller: Caller, inPlay: Iterable<string> = []): Promise<AccessContext> {
  const now = new Date();
  if (seesEverything(caller)) return { caller, projects: new Map(), grants: [], cohortMembers: new Map(), now };
  const [list, grants] = await Promise.all([projectList(inPlay), accessRepository().grantsFor(caller)]);
  const active = activeGrants(grants, now);
  const cohorts = new Map<string, ReadonlySet<string>>();
  for (const g of active) if (g.cohortId) cohorts.set(g.cohortId, await cohortMembers(g.cohortId, g.cohortProjects ?? []));
  const openStudies = await openStudiesOf(list);
  return { caller, projects: new Map(list.map((p) => [p.projectId, p])), grants: active, cohortMembers: cohorts, now, openStudies };
}

/**
 * A published study the caller may get, or 404 (a study the caller may not see is
 * answered like one that does not exist, so UIDs cannot be probed). The decision
 * and its basis go to the audit log either way.
 */
export async function requireStudy(
  caller: Caller,
  audit: RequestAudit,
  studyUid: string,
  message = 'no such published study',
): Promise<{ study: Study; decision: StudyDecision & { allowed: true } }> {
  const study = await publicationRepository().getStudy(studyUid);
  if (!study || study.status !== 'published') {
    audit.deny('not-found', { type: 'study', id: studyUid });
    throw new NotFound(message);
  }
  const decision = decideStudy(await accessContext(caller, [study.project]), study);
  if (!decision.allowed) {
    audit.deny(decision.basis, { type: 'study', id: studyUid });
    throw new NotFound(message);
  }
  audit.resource('study', studyUid, decision.basis);
  return { study, decision };
}
