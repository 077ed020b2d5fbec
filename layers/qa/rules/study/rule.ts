import type { InstanceFacts } from '../../facts';
import type { RuleMeta } from '../../types';

export interface StudyProblem {
  readonly message: string;
  readonly fileId?: string;
  readonly studyUid?: string;
  readonly seriesUid?: string;
}

/** A rule over the instances of one submission's studies (and what the catalog already holds for them). */
export interface StudyRule extends RuleMeta {
  readonly level: 'study';
  check(instances: readonly InstanceFacts[]): readonly StudyProblem[];
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function byArrival(a: InstanceFacts, b: InstanceFacts): number {
  return a.order < b.order ? -1 : a.order > b.order ? 1 : a.fileId < b.fileId ? -1 : a.fileId > b.fileId ? 1 : 0;
}

export function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}
