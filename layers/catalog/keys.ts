import type { Grant } from './commons-entities';

/**
 * The single-table key design (see docs/catalog.md). One item collection per
 * submission (its files and the studies it touched) and one per study (its
 * instances), so every read the pipeline and the API make is one Query.
 */
export const keys = {
  submission: (submissionId: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: 'SUBMISSION' }),
  submissionFile: (submissionId: string, fileId: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: `FILE#${fileId}` }),
  submissionStudy: (submissionId: string, studyUid: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: `STUDY#${studyUid}` }),
  study: (studyUid: string) => ({ pk: `STUDY#${studyUid}`, sk: 'STUDY' }),
  instance: (studyUid: string, seriesUid: string, sopUid: string) => ({ pk: `STUDY#${studyUid}`, sk: `INSTANCE#${seriesUid}#${sopUid}` }),
  series: (studyUid: string, seriesUid: string) => ({ pk: `STUDY#${studyUid}`, sk: `SERIES#${seriesUid}` }),
  /** Projects: one item each; gsi1 lists them all. Cases share the project's item collection. */
  project: (projectId: string) => ({ pk: `PROJECT#${projectId}`, sk: 'PROJECT' }),
  projectIndex: (projectId: string) => ({ gsi1pk: 'PROJECTS', gsi1sk: projectId }),
  case: (project: string, casePseudonym: string) => ({ pk: `PROJECT#${project}`, sk: `CASE#${casePseudonym}` }),
  /** Which cases a submission's cases.csv supplied (so their published studies can be refreshed). */
  submissionCase: (submissionId: string, casePseudonym: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: `CASE#${casePseudonym}` }),
  /** Releases, numbered; gsi1 sorts them by number (zero-padded). */
  release: (releaseNumber: number) => ({ pk: `RELEASE#${pad(releaseNumber)}`, sk: 'RELEASE' }),
  releaseIndex: (releaseNumber: number) => ({ gsi1pk: 'RELEASES', gsi1sk: pad(releaseNumber) }),
  cohort: (cohortId: string) => ({ pk: `COHORT#${cohortId}`, sk: 'COHORT' }),
  cohortIndex: (owner: string, createdAt: string, cohortId: string) => ({ gsi1pk: `COHORTS#${owner}`, gsi1sk: `${createdAt}#${cohortId}` }),
  /** A user's grants, one item per project (or `cohort#{id}`), in the user's collection: what access checks read. */
  grant: (subject: string, scope: string) => ({ pk: `USER#${subject}`, sk: `GRANT#${scope}` }),
  /** A grant by id (revocation, listings for the DAC); gsi1 lists all grants by time. */
  grantRecord: (grantId: string) => ({ pk: `GRANT#${grantId}`, sk: 'GRANT' }),
  grantIndex: (grantedAt: string, grantId: string) => ({ gsi1pk: 'GRANTS', gsi1sk: `${grantedAt}#${grantId}` }),
  /** An access request; gsi1 lists all requests by time; a pointer in the requester's collection lists theirs. */
  accessRequest: (requestId: string) => ({ pk: `ACCESSREQ#${requestId}`, sk: 'ACCESSREQ' }),
  accessRequestIndex: (createdAt: string, requestId: string) => ({ gsi1pk: 'ACCESSREQS', gsi1sk: `${createdAt}#${requestId}` }),
  userAccessRequest: (subject: string, createdAt: string, requestId: string) => ({
    pk: `USER#${subject}`,
    sk: `ACCESSREQ#${createdAt}#${requestId}`,
  }),
  /** A series' owner: the one study its UID belongs to, across the whole catalog (claimed with its first staged instance). */
  seriesOwner: (seriesUid: string) => ({ pk: `SERIESUID#${seriesUid}`, sk: 'OWNER' }),
  /** Object id (`hilum:<SOP Instance UID>`) -> its study and series: how DRS resolves an id in one GetItem; also the SOP's ownership claim. */
  object: (sopUid: string) => ({ pk: `OBJECT#${sopUid}`, sk: 'OBJECT' }),
  /** The live search snapshot's version pointer. */
  snapshotPointer: () => ({ pk: 'SEARCH', sk: 'SNAPSHOT' }),
  /** Sparse index of published studies, newest first by sort key. */
  publishedStudy: (publishedAt: string, studyUid: string) => ({ gsi1pk: 'PUBLISHED', gsi1sk: `${publishedAt}#${studyUid}` }),
} as const;

export const PREFIX = { file: 'FILE#', study: 'STUDY#', instance: 'INSTANCE#', series: 'SERIES#', case: 'CASE#', grant: 'GRANT#' } as const;
export const PUBLISHED_PARTITION = 'PUBLISHED';
export const PROJECTS_PARTITION = 'PROJECTS';
export const RELEASES_PARTITION = 'RELEASES';

/** A grant's place in its user's collection (`keys.grant`'s scope): the project, or `cohort#{id}`. */
export function grantScopeKey(grant: Pick<Grant, 'project' | 'cohortId'>): string {
  if (grant.cohortId) return `cohort#${grant.cohortId}`;
  if (grant.project) return grant.project;
  throw new Error('a grant names a project or a cohort');
}

/** Release numbers sort as text in keys. */
function pad(n: number): string {
  return String(n).padStart(6, '0');
}
