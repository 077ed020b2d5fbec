/**
 * What a caller sees of a release's counts. Pure.
 *
 * Those who see every project (curators) get the release's totals and its counts per
 * project. Everyone else gets sums over the projects they may count (the count scope:
 * open projects, granted ones, restricted ones that show counts; never sequestered
 * ones), and no per-project list: the names and sizes of projects they may not count
 * are not theirs. Their sums count only the studies the sequestration split kept open
 * (`openProjects`): a sequestered case's studies are no count of theirs either. A release cut before counts were kept per project has no counts
 * anyone else may be given.
 */
import type { ProjectReleaseCounts, ReleaseCounts } from '../catalog/release-counts';
import { sumCounts } from '../catalog/release-counts';
import { inScope, type Scope } from './data';

export interface CountedRelease extends ReleaseCounts {
  readonly projects?: readonly ProjectReleaseCounts[];
  readonly openProjects?: readonly ProjectReleaseCounts[];
}

export type ReleaseCountsView =
  (ReleaseCounts & { readonly projects?: readonly ProjectReleaseCounts[] }) | { readonly countsWithheld: true };

export function releaseCountsFor(release: CountedRelease, scope: Scope): ReleaseCountsView {
  const { studyCount, seriesCount, instanceCount, totalBytes } = release;
  if (scope === 'all')
    return { studyCount, seriesCount, instanceCount, totalBytes, ...(release.projects ? { projects: release.projects } : {}) };
  if (!release.projects) return { countsWithheld: true };
  return sumCounts((release.openProjects ?? release.projects).filter((p) => inScope(scope, p.project)));
}
