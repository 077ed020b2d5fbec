/**
 * The route catalogue and its route x role matrix: THE statement of which routes the
 * API has and who may call each. The API construct and the local API server build
 * their routes from it (with functions/registry.ts's ROUTE_FUNCTIONS), the API handler
 * chain gates every request with it, `docs/access.md`
 * carries a table rendered from it (a test compares them) and a test walks every
 * route of the API with every role against it. What each route does, in words, is
 * route-summaries.ts's: every handler bundles this catalogue for its gate, and none
 * needs the documentation text.
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
  readonly roles: RouteRoles;
}

const CURATE = { curator: 'all' } as const;
const SITE = { 'site-uploader': 'own' } as const;
const DATA = { researcher: 'data', curator: 'all' } as const;

// Paths from their parent resource's path: the hierarchy reads at a glance, and each
// bundle (every API handler carries this catalogue for its gate) holds a prefix once.
const SUBMISSION = '/submissions/{submissionId}';
const STUDIES = '/dicomweb/studies';
const STUDY = `${STUDIES}/{study}`;
const SERIES = `${STUDY}/series/{series}`;
const INSTANCE = `${SERIES}/instances/{instance}`;
const FRAMES = `${INSTANCE}/frames/{frames}`;

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
    roles: SITE,
  },
  getSubmission: {
    method: 'GET',
    path: SUBMISSION,
    roles: { ...SITE, curator: 'all' },
  },
  requestUploads: {
    method: 'POST',
    path: `${SUBMISSION}/uploads`,
    roles: SITE,
  },
  completeUpload: {
    method: 'POST',
    path: `${SUBMISSION}/uploads/{fileId}/complete`,
    roles: SITE,
  },
  renewUpload: {
    method: 'POST',
    path: `${SUBMISSION}/uploads/{fileId}/renew`,
    roles: SITE,
  },
  completeSubmission: { method: 'POST', path: `${SUBMISSION}/complete`, roles: SITE },
  submissionReport: {
    method: 'GET',
    path: `${SUBMISSION}/report`,
    roles: { ...SITE, curator: 'all' },
  },
  putCases: { method: 'PUT', path: `${SUBMISSION}/cases`, roles: SITE },
  putClinicalSheet: { method: 'PUT', path: `${SUBMISSION}/clinical/{node}`, roles: SITE },
  putLinkageTokens: { method: 'PUT', path: `${SUBMISSION}/linkage-tokens`, roles: SITE },
  stowStudies: {
    method: 'POST',
    path: STUDIES,
    roles: SITE,
  },
  stowStudy: {
    method: 'POST',
    path: STUDY,
    roles: SITE,
  },
  // Curation
  listQuarantine: { method: 'GET', path: '/quarantine', roles: CURATE },
  getQuarantined: { method: 'GET', path: '/quarantine/{quarantineId}', roles: CURATE },
  releaseQuarantined: { method: 'POST', path: '/quarantine/{quarantineId}/release', roles: CURATE },
  rejectQuarantined: { method: 'POST', path: '/quarantine/{quarantineId}/reject', roles: CURATE },
  previewQuarantined: { method: 'GET', path: '/quarantine/{quarantineId}/preview', roles: CURATE },
  putQaConfig: { method: 'PUT', path: '/projects/{project}/qa-config', roles: CURATE },
  getQaConfig: { method: 'GET', path: '/projects/{project}/qa-config', roles: { curator: 'all', 'site-uploader': 'own' } },
  saveProject: {
    method: 'POST',
    path: '/projects',
    roles: { curator: 'all', admin: 'all' },
  },
  saveProjectSites: {
    method: 'PUT',
    path: '/projects/{project}/sites',
    roles: { curator: 'all', admin: 'all' },
  },
  getSiteKey: {
    method: 'GET',
    path: '/projects/{project}/site-key',
    roles: SITE,
  },
  listProjects: {
    method: 'GET',
    path: '/projects',
    roles: { researcher: 'data', curator: 'all', dac: 'all', admin: 'all' },
  },
  createRelease: { method: 'POST', path: '/releases', roles: CURATE },
  listReleases: { method: 'GET', path: '/releases', roles: { researcher: 'all', curator: 'all' } },
  releaseRepresentativeness: {
    method: 'GET',
    path: '/releases/{releaseNumber}/representativeness',
    roles: { researcher: 'all', curator: 'all' },
  },
  // Discovery and data
  listStudies: { method: 'GET', path: '/studies', roles: DATA },
  studyFiles: { method: 'GET', path: '/studies/{studyUid}/files', roles: DATA },
  studyArchive: { method: 'GET', path: '/studies/{studyUid}/archive', roles: DATA },
  searchPost: { method: 'POST', path: '/search', roles: DATA },
  searchGet: { method: 'GET', path: '/search', roles: DATA },
  createCohort: { method: 'POST', path: '/cohorts', roles: { researcher: 'own', curator: 'all' } },
  getCohort: {
    method: 'GET',
    path: '/cohorts/{cohortId}',
    roles: { researcher: 'own', curator: 'all' },
  },
  cohortManifest: {
    method: 'GET',
    path: '/cohorts/{cohortId}/manifest',
    roles: { researcher: 'own', curator: 'all' },
  },
  cohortClinical: {
    method: 'GET',
    path: '/cohorts/{cohortId}/clinical/{node}',
    roles: { researcher: 'own', curator: 'all' },
  },
  // FHIR R4 Bulk Data export (docs/fhir.md): a cohort's (its owner), a release's (curators); the job's status URL
  fhirGroupExport: { method: 'GET', path: '/fhir/Group/{cohortId}/$export', roles: { researcher: 'own', curator: 'all' } },
  fhirReleaseExport: { method: 'GET', path: '/fhir/$export', roles: CURATE },
  fhirExportStatus: { method: 'GET', path: '/fhir/export-jobs/{jobId}', roles: { researcher: 'own', curator: 'all' } },
  fhirExportDelete: { method: 'DELETE', path: '/fhir/export-jobs/{jobId}', roles: { researcher: 'own', curator: 'all' } },
  // Access requests, grants, audit
  createAccessRequest: {
    method: 'POST',
    path: '/access-requests',
    roles: { researcher: 'own' },
  },
  listAccessRequests: {
    method: 'GET',
    path: '/access-requests',
    roles: { researcher: 'own', dac: 'all', admin: 'all' },
  },
  approveAccessRequest: {
    method: 'POST',
    path: '/access-requests/{requestId}/approve',
    roles: { dac: 'all' },
  },
  denyAccessRequest: { method: 'POST', path: '/access-requests/{requestId}/deny', roles: { dac: 'all' } },
  listGrants: { method: 'GET', path: '/grants', roles: { researcher: 'own', dac: 'all', admin: 'all' } },
  revokeGrant: { method: 'DELETE', path: '/grants/{grantId}', roles: { dac: 'all', admin: 'all' } },
  auditLog: { method: 'GET', path: '/audit', roles: { admin: 'all' } },
  // Record linkage (docs/linkage.md): the honest broker only
  linkageMatch: { method: 'POST', path: '/linkage/match', roles: { linker: 'all' } },
  // Model evaluation on sequestered data (docs/evaluation.md)
  createEvaluation: { method: 'POST', path: '/evaluations', roles: { evaluator: 'own' } },
  runEvaluation: { method: 'POST', path: '/evaluations/{evaluationId}/run', roles: { evaluator: 'own' } },
  getEvaluation: { method: 'GET', path: '/evaluations/{evaluationId}', roles: { evaluator: 'own', admin: 'all' } },
  // GA4GH DRS 1.x
  drsServiceInfo: {
    method: 'GET',
    path: '/ga4gh/drs/v1/service-info',
    roles: { researcher: 'all', curator: 'all', dac: 'all', admin: 'all', 'site-uploader': 'all' },
  },
  drsObject: { method: 'GET', path: '/ga4gh/drs/v1/objects/{object_id}', roles: DATA },
  drsAccess: {
    method: 'GET',
    path: '/ga4gh/drs/v1/objects/{object_id}/access/{access_id}',
    roles: DATA,
  },
  // DICOMweb (reads)
  qidoStudies: { method: 'GET', path: STUDIES, roles: DATA },
  qidoSeries: { method: 'GET', path: `${STUDY}/series`, roles: DATA },
  qidoInstances: { method: 'GET', path: `${SERIES}/instances`, roles: DATA },
  qidoStudyInstances: { method: 'GET', path: `${STUDY}/instances`, roles: DATA },
  qidoAllSeries: { method: 'GET', path: '/dicomweb/series', roles: DATA },
  qidoAllInstances: { method: 'GET', path: '/dicomweb/instances', roles: DATA },
  wadoInstance: {
    method: 'GET',
    path: INSTANCE,
    roles: DATA,
  },
  wadoStudy: { method: 'GET', path: STUDY, roles: DATA },
  wadoSeries: { method: 'GET', path: SERIES, roles: DATA },
  wadoFrames: {
    method: 'GET',
    path: FRAMES,
    roles: DATA,
  },
  wadoBulkData: {
    method: 'GET',
    path: `${INSTANCE}/bulkdata/{attribute}`,
    roles: DATA,
  },
  wadoInstanceMetadata: {
    method: 'GET',
    path: `${INSTANCE}/metadata`,
    roles: DATA,
  },
  wadoStudyMetadata: { method: 'GET', path: `${STUDY}/metadata`, roles: DATA },
  wadoSeriesMetadata: {
    method: 'GET',
    path: `${SERIES}/metadata`,
    roles: DATA,
  },
  renderedStudy: { method: 'GET', path: `${STUDY}/rendered`, roles: DATA },
  renderedSeries: {
    method: 'GET',
    path: `${SERIES}/rendered`,
    roles: DATA,
  },
  renderedInstance: {
    method: 'GET',
    path: `${INSTANCE}/rendered`,
    roles: DATA,
  },
  renderedFrames: {
    method: 'GET',
    path: `${FRAMES}/rendered`,
    roles: DATA,
  },
  thumbnailStudy: { method: 'GET', path: `${STUDY}/thumbnail`, roles: DATA },
  thumbnailSeries: {
    method: 'GET',
    path: `${SERIES}/thumbnail`,
    roles: DATA,
  },
  thumbnailInstance: {
    method: 'GET',
    path: `${INSTANCE}/thumbnail`,
    roles: DATA,
  },
  thumbnailFrames: {
    method: 'GET',
    path: `${FRAMES}/thumbnail`,
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
