import { FUNCTIONS, FunctionKey } from '../registry';

/**
 * The REST API: one route, one function. CDK builds API Gateway resources from this
 * table and the local API server routes requests with it. Who may call a route is
 * decided by the authorization module's route x role matrix (layers/access/matrix.ts),
 * inside the handler chain, so the decision is the same in both worlds; a test holds
 * this table and the matrix to the same routes.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/submissions/{submissionId}`. */
  readonly path: string;
  readonly fn: FunctionKey;
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/submissions', fn: 'createSubmission' },
  { method: 'GET', path: '/submissions/{submissionId}', fn: 'getSubmission' },
  { method: 'POST', path: '/submissions/{submissionId}/uploads', fn: 'requestUploads' },
  { method: 'POST', path: '/submissions/{submissionId}/uploads/{fileId}/complete', fn: 'completeUpload' },
  { method: 'POST', path: '/submissions/{submissionId}/uploads/{fileId}/renew', fn: 'renewUpload' },
  { method: 'POST', path: '/submissions/{submissionId}/complete', fn: 'completeSubmission' },
  { method: 'GET', path: '/submissions/{submissionId}/report', fn: 'submissionReport' },
  { method: 'GET', path: '/quarantine', fn: 'quarantineList' },
  { method: 'GET', path: '/quarantine/{quarantineId}', fn: 'quarantineGet' },
  { method: 'POST', path: '/quarantine/{quarantineId}/release', fn: 'quarantineRelease' },
  { method: 'POST', path: '/quarantine/{quarantineId}/reject', fn: 'quarantineReject' },
  { method: 'PUT', path: '/projects/{project}/qa-config', fn: 'putQaConfig' },
  { method: 'GET', path: '/studies', fn: 'listStudies' },
  { method: 'GET', path: '/studies/{studyUid}/files', fn: 'studyFiles' },
  { method: 'POST', path: '/search', fn: 'search' },
  { method: 'GET', path: '/search', fn: 'search' },
  { method: 'PUT', path: '/submissions/{submissionId}/cases', fn: 'putCases' },
  { method: 'POST', path: '/projects', fn: 'saveProject' },
  { method: 'PUT', path: '/projects/{project}/sites', fn: 'saveProjectSites' },
  { method: 'GET', path: '/projects/{project}/site-key', fn: 'siteKey' },
  { method: 'GET', path: '/projects', fn: 'listProjects' },
  { method: 'POST', path: '/releases', fn: 'createRelease' },
  { method: 'GET', path: '/releases', fn: 'listReleases' },
  { method: 'POST', path: '/cohorts', fn: 'createCohort' },
  { method: 'GET', path: '/cohorts/{cohortId}', fn: 'getCohort' },
  { method: 'GET', path: '/cohorts/{cohortId}/manifest', fn: 'cohortManifest' },
  { method: 'GET', path: '/studies/{studyUid}/archive', fn: 'studyArchive' },
  { method: 'POST', path: '/access-requests', fn: 'createAccessRequest' },
  { method: 'GET', path: '/access-requests', fn: 'listAccessRequests' },
  { method: 'POST', path: '/access-requests/{requestId}/approve', fn: 'decideAccessRequest' },
  { method: 'POST', path: '/access-requests/{requestId}/deny', fn: 'decideAccessRequest' },
  { method: 'GET', path: '/grants', fn: 'listGrants' },
  { method: 'DELETE', path: '/grants/{grantId}', fn: 'revokeGrant' },
  { method: 'GET', path: '/audit', fn: 'auditLog' },
  { method: 'GET', path: '/ga4gh/drs/v1/service-info', fn: 'drsServiceInfo' },
  { method: 'GET', path: '/ga4gh/drs/v1/objects/{object_id}', fn: 'drsObject' },
  { method: 'GET', path: '/ga4gh/drs/v1/objects/{object_id}/access/{access_id}', fn: 'drsObject' },
  { method: 'GET', path: '/dicomweb/studies', fn: 'qido' },
  { method: 'GET', path: '/dicomweb/studies/{study}/series', fn: 'qido' },
  { method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/instances', fn: 'qido' },
  { method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}', fn: 'wadoInstance' },
  { method: 'GET', path: '/dicomweb/studies/{study}/metadata', fn: 'wadoMetadata' },
  { method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/metadata', fn: 'wadoMetadata' },
];

export function functionOf(route: Route) {
  return FUNCTIONS[route.fn];
}
