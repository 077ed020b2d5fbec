/**
 * The route catalogue and its route x role matrix: THE statement of which routes the
 * API has and who may call each. The API construct and the local API server build
 * their routes from it (with functions/registry.ts's ROUTE_FUNCTIONS), the API handler
 * chain gates every request with it, `docs/access.md`
 * carries a table rendered from it (a test compares them) and a test walks every
 * route of the API with every role against it.
 *
 * A cell says how far a role gets past the gate:
 * - `all`: every record the route serves;
 * - `own`: only the caller's own records (their requests, grants, cohorts; their site's submissions);
 * - `data`: only data the caller may download (open projects, granted restricted data;
 *   never sequestered data); other studies and objects are answered 404, as if absent;
 * - absent: 403.
 * No or an invalid token is 401 on every route.
 */
import type { Role } from './caller';

export type Level = 'all' | 'own' | 'data';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * The roles of a route: at least one. A route nobody may call is a forgotten row, so
 * `roles: {}` does not compile, nor does a route without `roles`.
 */
export type RouteRoles = {
  readonly [R in Role]: Readonly<Record<R, Level>> & Readonly<Partial<Record<Role, Level>>>;
}[Role];

/** One route of the API and who may call it; the catalogue below holds every one. */
export interface RouteAccess {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/submissions/{submissionId}`. */
  readonly path: string;
  readonly summary: string;
  readonly roles: RouteRoles;
}

const CURATE = { curator: 'all' } as const;
const SITE = { 'site-uploader': 'own' } as const;
const DATA = { researcher: 'data', curator: 'all' } as const;

/**
 * THE route catalogue, keyed by route id: the API construct (infra/), the local API
 * server, the handler chain's gate and docs/access.md all read it, and the route ->
 * function table (functions/registry.ts, `ROUTE_FUNCTIONS: Record<RouteId, FunctionKey>`)
 * must name exactly these ids, so a route without roles, or without a function, does not
 * compile. The order is the order of the table in docs/access.md.
 */
export const ROUTE_CATALOGUE = {
  // Site intake
  createSubmission: {
    method: 'POST',
    path: '/submissions',
    summary: "open a submission for one of the caller's sites, in a project that lists the site",
    roles: SITE,
  },
  getSubmission: {
    method: 'GET',
    path: '/submissions/{submissionId}',
    summary: 'a submission and its file outcomes',
    roles: { ...SITE, curator: 'all' },
  },
  requestUploads: {
    method: 'POST',
    path: '/submissions/{submissionId}/uploads',
    summary: 'announce files, presigned PUT URLs',
    roles: SITE,
  },
  completeUpload: {
    method: 'POST',
    path: '/submissions/{submissionId}/uploads/{fileId}/complete',
    summary: 'complete a multipart upload',
    roles: SITE,
  },
  renewUpload: {
    method: 'POST',
    path: '/submissions/{submissionId}/uploads/{fileId}/renew',
    summary: 'fresh upload URLs (resume)',
    roles: SITE,
  },
  completeSubmission: { method: 'POST', path: '/submissions/{submissionId}/complete', summary: 'seal a submission', roles: SITE },
  submissionReport: {
    method: 'GET',
    path: '/submissions/{submissionId}/report',
    summary: "a submission's QA report",
    roles: { ...SITE, curator: 'all' },
  },
  putCases: { method: 'PUT', path: '/submissions/{submissionId}/cases', summary: "a submission's cases.csv", roles: SITE },
  stowStudies: {
    method: 'POST',
    path: '/dicomweb/studies',
    summary: 'STOW-RS: store instances into an open submission',
    roles: SITE,
  },
  stowStudy: {
    method: 'POST',
    path: '/dicomweb/studies/{study}',
    summary: "STOW-RS: store one study's instances into an open submission",
    roles: SITE,
  },
  // Curation
  listQuarantine: { method: 'GET', path: '/quarantine', summary: 'quarantined files', roles: CURATE },
  getQuarantined: { method: 'GET', path: '/quarantine/{quarantineId}', summary: 'a quarantine record and its history', roles: CURATE },
  releaseQuarantined: { method: 'POST', path: '/quarantine/{quarantineId}/release', summary: 'release a quarantined file', roles: CURATE },
  rejectQuarantined: { method: 'POST', path: '/quarantine/{quarantineId}/reject', summary: 'reject a quarantined file', roles: CURATE },
  putQaConfig: { method: 'PUT', path: '/projects/{project}/qa-config', summary: "a project's QA configuration", roles: CURATE },
  saveProject: {
    method: 'POST',
    path: '/projects',
    summary: 'create or update a project (and create its de-identification key)',
    roles: { curator: 'all', admin: 'all' },
  },
  saveProjectSites: {
    method: 'PUT',
    path: '/projects/{project}/sites',
    summary: 'the sites that may contribute to a project',
    roles: { curator: 'all', admin: 'all' },
  },
  getSiteKey: {
    method: 'GET',
    path: '/projects/{project}/site-key',
    summary: "the project's de-identification key, for a contributing site",
    roles: SITE,
  },
  listProjects: {
    method: 'GET',
    path: '/projects',
    summary: 'projects (researchers: the ones they may see)',
    roles: { researcher: 'data', curator: 'all', dac: 'all', admin: 'all' },
  },
  createRelease: { method: 'POST', path: '/releases', summary: 'cut a release', roles: CURATE },
  listReleases: { method: 'GET', path: '/releases', summary: 'releases', roles: { researcher: 'all', curator: 'all' } },
  // Discovery and data
  listStudies: { method: 'GET', path: '/studies', summary: 'published studies', roles: DATA },
  studyFiles: { method: 'GET', path: '/studies/{studyUid}/files', summary: "presigned GET URLs of a study's files", roles: DATA },
  studyArchive: { method: 'GET', path: '/studies/{studyUid}/archive', summary: 'a study or series as a zip (presigned URL)', roles: DATA },
  searchPost: { method: 'POST', path: '/search', summary: 'faceted search', roles: DATA },
  searchGet: { method: 'GET', path: '/search', summary: 'faceted search (query string)', roles: DATA },
  createCohort: { method: 'POST', path: '/cohorts', summary: 'save a cohort', roles: { researcher: 'own', curator: 'all' } },
  getCohort: {
    method: 'GET',
    path: '/cohorts/{cohortId}',
    summary: 'a cohort and its counts',
    roles: { researcher: 'own', curator: 'all' },
  },
  cohortManifest: {
    method: 'GET',
    path: '/cohorts/{cohortId}/manifest',
    summary: "a cohort's manifest (objects the caller may download)",
    roles: { researcher: 'own', curator: 'all' },
  },
  // Access requests, grants, audit
  createAccessRequest: {
    method: 'POST',
    path: '/access-requests',
    summary: 'request access to a restricted project or a cohort',
    roles: { researcher: 'own' },
  },
  listAccessRequests: {
    method: 'GET',
    path: '/access-requests',
    summary: 'access requests',
    roles: { researcher: 'own', dac: 'all', admin: 'all' },
  },
  approveAccessRequest: {
    method: 'POST',
    path: '/access-requests/{requestId}/approve',
    summary: 'approve a request (creates a grant)',
    roles: { dac: 'all' },
  },
  denyAccessRequest: { method: 'POST', path: '/access-requests/{requestId}/deny', summary: 'deny a request', roles: { dac: 'all' } },
  listGrants: { method: 'GET', path: '/grants', summary: 'grants', roles: { researcher: 'own', dac: 'all', admin: 'all' } },
  revokeGrant: { method: 'DELETE', path: '/grants/{grantId}', summary: 'revoke a grant', roles: { dac: 'all', admin: 'all' } },
  auditLog: { method: 'GET', path: '/audit', summary: 'the audit log', roles: { admin: 'all' } },
  // GA4GH DRS 1.x
  drsServiceInfo: {
    method: 'GET',
    path: '/ga4gh/drs/v1/service-info',
    summary: 'DRS service info',
    roles: { researcher: 'all', curator: 'all', dac: 'all', admin: 'all', 'site-uploader': 'all' },
  },
  drsObject: { method: 'GET', path: '/ga4gh/drs/v1/objects/{object_id}', summary: 'a DRS object', roles: DATA },
  drsAccess: {
    method: 'GET',
    path: '/ga4gh/drs/v1/objects/{object_id}/access/{access_id}',
    summary: 'a presigned URL of a DRS object',
    roles: DATA,
  },
  // DICOMweb (reads)
  qidoStudies: { method: 'GET', path: '/dicomweb/studies', summary: 'QIDO-RS studies', roles: DATA },
  qidoSeries: { method: 'GET', path: '/dicomweb/studies/{study}/series', summary: 'QIDO-RS series', roles: DATA },
  qidoInstances: { method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/instances', summary: 'QIDO-RS instances', roles: DATA },
  qidoStudyInstances: { method: 'GET', path: '/dicomweb/studies/{study}/instances', summary: 'QIDO-RS instances of a study', roles: DATA },
  qidoAllSeries: { method: 'GET', path: '/dicomweb/series', summary: 'QIDO-RS series of every study', roles: DATA },
  qidoAllInstances: { method: 'GET', path: '/dicomweb/instances', summary: 'QIDO-RS instances of every study', roles: DATA },
  wadoInstance: {
    method: 'GET',
    path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}',
    summary: 'WADO-RS instance',
    roles: DATA,
  },
  wadoStudy: { method: 'GET', path: '/dicomweb/studies/{study}', summary: 'WADO-RS study', roles: DATA },
  wadoSeries: { method: 'GET', path: '/dicomweb/studies/{study}/series/{series}', summary: 'WADO-RS series', roles: DATA },
  wadoFrames: {
    method: 'GET',
    path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}',
    summary: 'WADO-RS frames',
    roles: DATA,
  },
  wadoBulkData: {
    method: 'GET',
    path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}/bulkdata/{attribute}',
    summary: 'WADO-RS bulk data',
    roles: DATA,
  },
  wadoInstanceMetadata: {
    method: 'GET',
    path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}/metadata',
    summary: 'WADO-RS instance metadata',
    roles: DATA,
  },
  wadoStudyMetadata: { method: 'GET', path: '/dicomweb/studies/{study}/metadata', summary: 'WADO-RS study metadata', roles: DATA },
  wadoSeriesMetadata: {
    method: 'GET',
    path: '/dicomweb/studies/{study}/series/{series}/metadata',
    summary: 'WADO-RS series metadata',
    roles: DATA,
  },
} satisfies Record<string, RouteAccess>;

export type RouteId = keyof typeof ROUTE_CATALOGUE;

export interface RoutePolicy extends RouteAccess {
  readonly id: RouteId;
}

export const ROUTE_IDS = Object.keys(ROUTE_CATALOGUE) as RouteId[];

/** The catalogue as a list, in its order. */
export const ROUTE_POLICIES: readonly RoutePolicy[] = ROUTE_IDS.map((id) => ({ id, ...ROUTE_CATALOGUE[id] }));

export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

const BY_KEY = new Map(ROUTE_POLICIES.map((p) => [routeKey(p.method, p.path), p]));

export function policyOf(method: string, path: string): RoutePolicy | undefined {
  return BY_KEY.get(routeKey(method, path));
}
