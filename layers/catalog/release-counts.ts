/**
 * What a release holds, counted per project, so that a listing can sum only the
 * projects its caller may see (docs/catalog.md, releases). Pure.
 */

export interface ReleaseCounts {
  readonly studyCount: number;
  readonly seriesCount: number;
  readonly instanceCount: number;
  readonly totalBytes: number;
}

export interface ProjectReleaseCounts extends ReleaseCounts {
  readonly project: string;
}

export const NO_COUNTS: ReleaseCounts = { studyCount: 0, seriesCount: 0, instanceCount: 0, totalBytes: 0 };

/**
 * Counts per project, sorted by project. Series and instances are counted under
 * their study's project (the project access is decided on), whatever they carry.
 */
export function countByProject(
  studies: readonly { readonly studyUid: string; readonly project: string }[],
  series: readonly { readonly studyUid: string }[],
  instances: readonly { readonly studyUid: string; readonly size: number }[],
): ProjectReleaseCounts[] {
  const projectOf = new Map(studies.map((s) => [s.studyUid, s.project]));
  const counts = new Map<string, { studyCount: number; seriesCount: number; instanceCount: number; totalBytes: number }>();
  const of = (studyUid: string) => {
    const project = projectOf.get(studyUid);
    if (project === undefined) return undefined;
    let entry = counts.get(project);
    if (!entry) counts.set(project, (entry = { studyCount: 0, seriesCount: 0, instanceCount: 0, totalBytes: 0 }));
    return entry;
  };
  for (const s of studies) of(s.studyUid)!.studyCount += 1;
  for (const s of series) {
    const entry = of(s.studyUid);
    if (entry) entry.seriesCount += 1;
  }
  for (const i of instances) {
    const entry = of(i.studyUid);
    if (entry) {
      entry.instanceCount += 1;
      entry.totalBytes += i.size;
    }
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([project, c]) => ({ project, ...c }));
}

/** The sum of some projects' counts. */
export function sumCounts(counts: readonly ReleaseCounts[]): ReleaseCounts {
  return counts.reduce<ReleaseCounts>(
    (sum, c) => ({
      studyCount: sum.studyCount + c.studyCount,
      seriesCount: sum.seriesCount + c.seriesCount,
      instanceCount: sum.instanceCount + c.instanceCount,
      totalBytes: sum.totalBytes + c.totalBytes,
    }),
    NO_COUNTS,
  );
}
