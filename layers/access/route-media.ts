import type { RouteId } from './matrix';
import type { PublicRouteId } from './public-routes';

/**
 * How each route's bodies are encoded, where it is not JSON in and JSON out with 200: the
 * media types the OpenAPI document (docs/openapi.json) gives each operation. Documentation
 * data, like route-summaries.ts: the handlers negotiate these types themselves and none needs
 * this table. Keyed by route id, so a route that is not in a catalogue does not compile.
 */
export type Media =
  | { readonly kind: 'json'; readonly type?: string }
  /** Bytes: multipart/related DICOM parts, images, CSV. */
  | { readonly kind: 'binary'; readonly type: string }
  /** Text that is not JSON (Markdown, CSV). */
  | { readonly kind: 'text'; readonly type: string };

export interface RouteMedia {
  /** The success status (default 200). */
  readonly success?: number;
  /** Other success answers and what they mean. */
  readonly also?: Readonly<Record<number, string>>;
  /** The request body, when it is not the handler's JSON body schema. */
  readonly request?: readonly Media[];
  /** The success body's media types (default: JSON). */
  readonly response?: readonly Media[];
  /** Query parameters the handler reads itself (DICOMweb's), described in words. */
  readonly freeQuery?: string;
  /** The handler validates a query schema but this method ignores it (its twin route reads it). */
  readonly queryIgnored?: boolean;
}

const DICOM_JSON: Media = { kind: 'json', type: 'application/dicom+json' };
const MULTIPART_DICOM: Media = { kind: 'binary', type: 'multipart/related; type="application/dicom"' };
const MULTIPART_OCTETS: Media = { kind: 'binary', type: 'multipart/related; type="application/octet-stream"' };
const IMAGES: readonly Media[] = [
  { kind: 'binary', type: 'image/jpeg' },
  { kind: 'binary', type: 'image/png' },
  { kind: 'binary', type: 'multipart/related; type="image/jpeg"' },
];
const REDIRECT = { 303: 'the answer is stored in S3: follow `Location` (a presigned URL, no bearer token)' };
const QIDO_QUERY =
  'QIDO-RS matching keys (keywords or tags, e.g. `StudyDate=20200101-20201231`, `00080060=CT`), `includefield` (repeatable, or `all`), `fuzzymatching`, `limit`, `offset`: docs/dicomweb.md';
const RENDER_QUERY = 'WADO-RS rendered parameters (`accept`, `quality`, `viewport`, `window`): docs/dicomweb.md';

const QIDO: RouteMedia = { response: [DICOM_JSON], also: { 204: 'no match' }, freeQuery: QIDO_QUERY };
const WADO: RouteMedia = { response: [MULTIPART_DICOM], also: REDIRECT };
const METADATA: RouteMedia = { response: [DICOM_JSON], also: REDIRECT };
const RENDERED: RouteMedia = { response: IMAGES, also: REDIRECT, freeQuery: RENDER_QUERY };
const STOW: RouteMedia = {
  request: [MULTIPART_DICOM],
  response: [DICOM_JSON],
  also: {
    202: 'some instances stored, some failed (the Store Instances Response says which)',
    409: 'no instance stored (the Store Instances Response says why)',
  },
};

export const ROUTE_MEDIA: Readonly<Partial<Record<RouteId | PublicRouteId, RouteMedia>>> = {
  createSubmission: { success: 201 },
  requestUploads: { success: 201 },
  completeSubmission: { success: 202 },
  putCases: { request: [{ kind: 'text', type: 'text/csv' }] },
  putLinkageTokens: { request: [{ kind: 'text', type: 'text/csv' }] },
  putClinicalSheet: {
    request: [{ kind: 'text', type: 'text/csv' }, { kind: 'text', type: 'text/tab-separated-values' }, { kind: 'json' }],
  },
  submissionReport: { response: [{ kind: 'json' }, { kind: 'text', type: 'text/markdown' }] },
  stowStudies: STOW,
  stowStudy: STOW,
  previewQuarantined: { response: [{ kind: 'binary', type: 'image/png' }] },
  createRelease: { success: 201 },
  searchPost: { queryIgnored: true },
  createCohort: { success: 201 },
  cohortManifest: { response: [{ kind: 'json' }, { kind: 'text', type: 'text/csv' }] },
  cohortClinical: {
    response: [{ kind: 'text', type: 'text/csv' }, { kind: 'binary', type: 'application/vnd.apache.parquet' }, { kind: 'json' }],
  },
  createAccessRequest: { success: 201 },
  qidoStudies: QIDO,
  qidoSeries: QIDO,
  qidoInstances: QIDO,
  qidoStudyInstances: QIDO,
  qidoAllSeries: QIDO,
  qidoAllInstances: QIDO,
  wadoInstance: WADO,
  wadoStudy: WADO,
  wadoSeries: WADO,
  wadoFrames: { response: [MULTIPART_OCTETS], also: REDIRECT },
  wadoBulkData: { response: [MULTIPART_OCTETS], also: REDIRECT },
  wadoInstanceMetadata: METADATA,
  wadoStudyMetadata: METADATA,
  wadoSeriesMetadata: METADATA,
  renderedStudy: RENDERED,
  renderedSeries: RENDERED,
  renderedInstance: RENDERED,
  renderedFrames: RENDERED,
  thumbnailStudy: RENDERED,
  thumbnailSeries: RENDERED,
  thumbnailInstance: RENDERED,
  thumbnailFrames: RENDERED,
};
