/**
 * A cohort is a filter set evaluated on its release's FROZEN snapshot, so its
 * membership is fixed by the release it pins: later publications, re-indexing or
 * demographics changes never move it. What the caller may see is applied on every
 * read (a revoked grant removes that project's studies from counts and manifests).
 */
import type { Cohort, Release } from '../catalog/commons-entities';
import type { Scope } from '../access/data';
import type { Caller } from '../access/caller';
import { mayReadOwned, type Level } from '../access';
import { NotFound } from '../common/errors';
import { matchingRows, studyUidAt, type Snapshot } from '../search';
import { releaseRepository } from './commons-context';
import { frozenSnapshot } from './snapshot-store';

/** The cohort, if the caller owns it or the route lets them see all (others: not found, so ids cannot be probed). */
export async function loadCohortFor(
  caller: Caller,
  level: Level,
  cohortId: string,
): Promise<{ cohort: Cohort; release: Release; snapshot: Snapshot }> {
  const cohort = await releaseRepository().getCohort(cohortId);
  if (!cohort || !mayReadOwned(caller, level, cohort.owner)) throw new NotFound('no such cohort');
  const release = await releaseRepository().getRelease(cohort.releaseNumber);
  if (!release) throw new NotFound("the cohort's release is gone");
  return { cohort, release, snapshot: await frozenSnapshot(release.snapshotKey) };
}

export function memberUids(snapshot: Snapshot, cohort: Pick<Cohort, 'filters'>, scope: Scope): Set<string> {
  return new Set(matchingRows(snapshot, cohort.filters, scope).map((row) => studyUidAt(snapshot, row)));
}
