import type { Grant } from './commons-entities';

/** Sort-key prefixes and index partitions of the single table; each item's key is item-keys.ts's. */
export const PREFIX = { file: 'FILE#', instance: 'INSTANCE#', series: 'SERIES#', case: 'CASE#', grant: 'GRANT#' } as const;
export const PUBLISHED_PARTITION = 'PUBLISHED';
export const PROJECTS_PARTITION = 'PROJECTS';
export const RELEASES_PARTITION = 'RELEASES';

/** A grant's place in its user's collection (item-keys.ts `grant`'s scope): the project, or `cohort#{id}`. */
export function grantScopeKey(grant: Pick<Grant, 'project' | 'cohortId'>): string {
  if (grant.cohortId) return `cohort#${grant.cohortId}`;
  if (grant.project) return grant.project;
  throw new Error('a grant names a project or a cohort');
}
