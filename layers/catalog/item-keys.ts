/**
 * The key of every item kind in the single table (see docs/catalog.md), one builder
 * each. Repositories import this module as a namespace (`import * as keys`), so a
 * bundle carries only the builders its repositories call (an object of builders
 * would carry them all). One item collection per submission (its files, whose
 * outcomes name the studies it touched) and one per study (its instances), so
 * every read the pipeline and the API make is one Query.
 */
export const submission = (submissionId: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: 'SUBMISSION' });
export const submissionFile = (submissionId: string, fileId: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: `FILE#${fileId}` });
export const study = (studyUid: string) => ({ pk: `STUDY#${studyUid}`, sk: 'STUDY' });
export const instance = (studyUid: string, seriesUid: string, sopUid: string) => ({
  pk: `STUDY#${studyUid}`,
  sk: `INSTANCE#${seriesUid}#${sopUid}`,
});
export const series = (studyUid: string, seriesUid: string) => ({ pk: `STUDY#${studyUid}`, sk: `SERIES#${seriesUid}` });
/** Projects: one item each; gsi1 lists them all. Cases share the project's item collection. */
export const project = (projectId: string) => ({ pk: `PROJECT#${projectId}`, sk: 'PROJECT' });
export const projectIndex = (projectId: string) => ({ gsi1pk: 'PROJECTS', gsi1sk: projectId });
/** `keys.case`: a reserved word is a name only by alias (below). */
const caseKey = (project: string, casePseudonym: string) => ({ pk: `PROJECT#${project}`, sk: `CASE#${casePseudonym}` });
export { caseKey as case };
/** Which cases a submission's cases.csv supplied (so their published studies can be refreshed). */
export const submissionCase = (submissionId: string, casePseudonym: string) => ({
  pk: `SUBMISSION#${submissionId}`,
  sk: `CASE#${casePseudonym}`,
});
/** Releases, numbered; gsi1 sorts them by number (zero-padded). */
export const release = (releaseNumber: number) => ({ pk: `RELEASE#${pad(releaseNumber)}`, sk: 'RELEASE' });
export const releaseIndex = (releaseNumber: number) => ({ gsi1pk: 'RELEASES', gsi1sk: pad(releaseNumber) });
export const cohort = (cohortId: string) => ({ pk: `COHORT#${cohortId}`, sk: 'COHORT' });
export const cohortIndex = (owner: string, createdAt: string, cohortId: string) => ({
  gsi1pk: `COHORTS#${owner}`,
  gsi1sk: `${createdAt}#${cohortId}`,
});
/** A user's grants, one item per project (or `cohort#{id}`), in the user's collection: what access checks read. */
export const grant = (subject: string, scope: string) => ({ pk: `USER#${subject}`, sk: `GRANT#${scope}` });
/** A grant by id (revocation, listings for the DAC); gsi1 lists all grants by time. */
export const grantRecord = (grantId: string) => ({ pk: `GRANT#${grantId}`, sk: 'GRANT' });
export const grantIndex = (grantedAt: string, grantId: string) => ({ gsi1pk: 'GRANTS', gsi1sk: `${grantedAt}#${grantId}` });
/** An access request; gsi1 lists all requests by time; a pointer in the requester's collection lists theirs. */
export const accessRequest = (requestId: string) => ({ pk: `ACCESSREQ#${requestId}`, sk: 'ACCESSREQ' });
export const accessRequestIndex = (createdAt: string, requestId: string) => ({
  gsi1pk: 'ACCESSREQS',
  gsi1sk: `${createdAt}#${requestId}`,
});
export const userAccessRequest = (subject: string, createdAt: string, requestId: string) => ({
  pk: `USER#${subject}`,
  sk: `ACCESSREQ#${createdAt}#${requestId}`,
});
/** A series' owner: the one study its UID belongs to, across the whole catalog (claimed with its first staged instance). */
export const seriesOwner = (seriesUid: string) => ({ pk: `SERIESUID#${seriesUid}`, sk: 'OWNER' });
/** Object id (`hilum:<SOP Instance UID>`) -> its study and series: how DRS resolves an id in one GetItem; also the SOP's ownership claim. */
export const object = (sopUid: string) => ({ pk: `OBJECT#${sopUid}`, sk: 'OBJECT' });
/** The live search snapshot's version pointer. */
export const snapshotPointer = () => ({ pk: 'SEARCH', sk: 'SNAPSHOT' });
/** Sparse index of published studies, newest first by sort key. */
export const publishedStudy = (publishedAt: string, studyUid: string) => ({ gsi1pk: 'PUBLISHED', gsi1sk: `${publishedAt}#${studyUid}` });

/** Release numbers sort as text in keys. */
function pad(n: number): string {
  return String(n).padStart(6, '0');
}
