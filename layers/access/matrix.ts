/**
 * The route x role matrix: THE statement of who may call what. The API handler
 * chain (layers/common/http.ts) gates every request with it, `docs/access.md`
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

export interface RoutePolicy {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly summary: string;
  readonly roles: Readonly<Partial<Record<Role, Level>>>;
}

const CURATE = { curator: 'all' } as const;
const SITE = { 'site-uploader': 'own' } as const;
const DATA = { researcher: 'data', curator: 'all' } as const;

export const ROUTE_POLICIES: readonly RoutePolicy[] = [
  // Site intake
  { method: 'POST', path: '/submissions', summary: 'open a submission for one of the caller\'s sites, in a project that lists the site', roles: SITE },
  { method: 'GET', path: '/submissions/{submissionId}', summary: 'a submission and its file outcomes', roles: { ...SITE, curator: 'all' } },
  { method: 'POST', path: '/submissions/{submissionId}/uploads', summary: 'announce files, presigned PUT URLs', roles: SITE },
  { method: 'POST', path: '/submissions/{submissionId}/uploads/{fileId}/complete', summary: 'complete a multipart upload', roles: SITE },
  { method: 'POST', path: '/submissions/{submissionId}/uploads/{fileId}/renew', summary: 'fresh upload URLs (resume)', roles: SITE },
  { method: 'POST', path: '/submissions/{submissionId}/complete', summary: 'seal a submission', roles: SITE },
  { method: 'GET', path: '/submissions/{submissionId}/report', summary: 'a submission\'s QA report', roles: { ...SITE, curator: 'all' } },
  { method: 'PUT', path: '/submissions/{submissionId}/cases', summary: 'a submission\'s cases.csv', roles: SITE },
  // Curation
  { method: 'GET', path: '/quarantine', summary: 'quarantined files', roles: CURATE },
  { method: 'GET', path: '/quarantine/{quarantineId}', summary: 'a quarantine record and its history', roles: CURATE },
  { method: 'POST', path: '/quarantine/{quarantineId}/release', summary: 'release a quarantined file', roles: CURATE },
  { method: 'POST', path: '/quarantine/{quarantineId}/reject', summary: 'reject a quarantined file', roles: CURATE },
  { method: 'PUT', path: '/projects/{project}/qa-config', summary: 'a project\'s QA configuration', roles: CURATE },
  { method: 'POST', path: '/projects', summary: 'create or update a project (and create its de-identification key)', roles: { curator: 'all', admin: 'all' } },
  { method: 'PUT', path: '/projects/{project}/sites', summary: 'the sites that may contribute to a project', roles: { curator: 'all', admin: 'all' } },
  { method: 'GET', path: '/projects/{project}/site-key', summary: 'the project\'s de-identification key, for a contributing site', roles: SITE },
  { method: 'GET', path: '/projects', summary: 'projects (researchers: the ones they may see)', roles: { researcher: 'data', curator: 'all', dac: 'all', admin: 'all' } },
  { method: 'POST', path: '/releases', summary: 'cut a release', roles: CURATE },
  { method: 'GET', path: '/releases', summary: 'releases', roles: { researcher: 'all', curator: 'all' } },
  // Discovery and data
  { method: 'GET', path: '/studies', summary: 'published studies', roles: DATA },
  { method: 'GET', path: '/studies/{studyUid}/files', summary: 'presigned GET URLs of a study\'s files', roles: DATA },
  { method: 'GET', path: '/studies/{studyUid}/archive', summary: 'a study or series as a zip (presigned URL)', roles: DATA },
  { method: 'POST', path: '/search', summary: 'faceted search', roles: DATA },
  { method: 'GET', path: '/search', summary: 'faceted search (query string)', roles: DATA },
  { method: 'POST', path: '/cohorts', summary: 'save a cohort', roles: { researcher: 'own', curator: 'all' } },
  { method: 'GET', path: '/cohorts/{cohortId}', summary: 'a cohort and its counts', roles: { researcher: 'own', curator: 'all' } },
  { method: 'GET', path: '/cohorts/{cohortId}/manifest', summary: 'a cohort\'s manifest (objects the caller may download)', roles: { researcher: 'own', curator: 'all' } },
  // Access requests, grants, audit
  { method: 'POST', path: '/access-requests', summary: 'request access to a restricted project or a cohort', roles: { researcher: 'own' } },
  { method: 'GET', path: '/access-requests', summary: 'access requests', roles: { researcher: 'own', dac: 'all', admin: 'all' } },
  { method: 'POST', path: '/access-requests/{requestId}/approve', summary: 'approve a request (creates a grant)', roles: { dac: 'all' } },
  { method: 'POST', path: '/access-requests/{requestId}/deny', summary: 'deny a request', roles: { dac: 'all' } },
  { method: 'GET', path: '/grants', summary: 'grants', roles: { researcher: 'own', dac: 'all', admin: 'all' } },
  { method: 'DELETE', path: '/grants/{grantId}', summary: 'revoke a grant', roles: { dac: 'all', admin: 'all' } },
  { method: 'GET', path: '/audit', summary: 'the audit log', roles: { admin: 'all' } },
  // GA4GH DRS 1.x
  { method: 'GET', path: '/ga4gh/drs/v1/service-info', summary: 'DRS service info', roles: { researcher: 'all', curator: 'all', dac: 'all', admin: 'all', 'site-uploader': 'all' } },
  { method: 'GET', path: '/ga4gh/drs/v1/objects/{object_id}', summary: 'a DRS object', roles: DATA },
  { method: 'GET', path: '/ga4gh/drs/v1/objects/{object_id}/access/{access_id}', summary: 'a presigned URL of a DRS object', roles: DATA },
  // DICOMweb (reads)
  { method: 'GET', path: '/dicomweb/studies', summary: 'QIDO-RS studies', roles: DATA },
  { method: 'GET', path: '/dicomweb/studies/{study}/series', summary: 'QIDO-RS series', roles: DATA },
  { method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/instances', summary: 'QIDO-RS instances', roles: DATA },
  { method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}', summary: 'WADO-RS instance', roles: DATA },
  { method: 'GET', path: '/dicomweb/studies/{study}/metadata', summary: 'WADO-RS study metadata', roles: DATA },
  { method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/metadata', summary: 'WADO-RS series metadata', roles: DATA },
];

export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

const BY_KEY = new Map(ROUTE_POLICIES.map((p) => [routeKey(p.method, p.path), p]));

export function policyOf(method: string, path: string): RoutePolicy | undefined {
  return BY_KEY.get(routeKey(method, path));
}
