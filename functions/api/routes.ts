import { FUNCTIONS, FunctionKey } from '../registry';

/**
 * The REST API: one route, one function. CDK builds API Gateway resources from this
 * table and the local API server routes requests with it. Who may call a route is
 * decided inside the handler (layers/common/auth), not here, so the decision is the
 * same in both worlds; `roles` documents it and drives the route x role tests.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/submissions/{submissionId}`. */
  readonly path: string;
  readonly fn: FunctionKey;
  readonly roles: readonly string[];
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/submissions', fn: 'createSubmission', roles: ['site-uploader'] },
  { method: 'GET', path: '/submissions/{submissionId}', fn: 'getSubmission', roles: ['site-uploader', 'curator'] },
  { method: 'POST', path: '/submissions/{submissionId}/uploads', fn: 'requestUploads', roles: ['site-uploader'] },
  { method: 'POST', path: '/submissions/{submissionId}/uploads/{fileId}/complete', fn: 'completeUpload', roles: ['site-uploader'] },
  { method: 'POST', path: '/submissions/{submissionId}/uploads/{fileId}/renew', fn: 'renewUpload', roles: ['site-uploader'] },
  { method: 'POST', path: '/submissions/{submissionId}/complete', fn: 'completeSubmission', roles: ['site-uploader'] },
  { method: 'GET', path: '/submissions/{submissionId}/report', fn: 'submissionReport', roles: ['site-uploader', 'curator'] },
  { method: 'GET', path: '/quarantine', fn: 'quarantineList', roles: ['curator'] },
  { method: 'GET', path: '/quarantine/{quarantineId}', fn: 'quarantineGet', roles: ['curator'] },
  { method: 'POST', path: '/quarantine/{quarantineId}/release', fn: 'quarantineRelease', roles: ['curator'] },
  { method: 'POST', path: '/quarantine/{quarantineId}/reject', fn: 'quarantineReject', roles: ['curator'] },
  { method: 'PUT', path: '/projects/{project}/qa-config', fn: 'putQaConfig', roles: ['curator'] },
  { method: 'GET', path: '/studies', fn: 'listStudies', roles: ['researcher', 'curator'] },
  { method: 'GET', path: '/studies/{studyUid}/files', fn: 'studyFiles', roles: ['researcher', 'curator'] },
  { method: 'POST', path: '/search', fn: 'search', roles: ['researcher', 'curator'] },
  { method: 'GET', path: '/search', fn: 'search', roles: ['researcher', 'curator'] },
  { method: 'PUT', path: '/submissions/{submissionId}/cases', fn: 'putCases', roles: ['site-uploader'] },
  { method: 'POST', path: '/projects', fn: 'saveProject', roles: ['curator', 'admin'] },
  { method: 'GET', path: '/projects', fn: 'listProjects', roles: ['researcher', 'curator', 'admin'] },
  { method: 'POST', path: '/releases', fn: 'createRelease', roles: ['curator'] },
  { method: 'GET', path: '/releases', fn: 'listReleases', roles: ['researcher', 'curator'] },
  { method: 'POST', path: '/cohorts', fn: 'createCohort', roles: ['researcher', 'curator'] },
  { method: 'GET', path: '/cohorts/{cohortId}', fn: 'getCohort', roles: ['researcher', 'curator'] },
  { method: 'GET', path: '/cohorts/{cohortId}/manifest', fn: 'cohortManifest', roles: ['researcher', 'curator'] },
];

export function functionOf(route: Route) {
  return FUNCTIONS[route.fn];
}
