import { EnvName, ENV } from '../layers/common/env-names';
import { ROUTE_POLICIES, type HttpMethod, type RouteId } from '../layers/access';
import { PUBLIC_ROUTE_POLICIES, type PublicRouteId } from '../layers/access/public-routes';

/**
 * Every Lambda function of hilum, in one list. The CDK app builds one function per
 * entry and the local runtime maps the synthesized functions back to these modules
 * (through the `hilum:functionId` metadata CDK writes on each function), so the two
 * cannot drift apart.
 */
export type BucketName = 'intake' | 'quarantine' | 'released';
export type Access = 'read' | 'write' | 'readwrite';
export type DeidKeyAccess = 'read' | 'describe' | 'create';

export interface FunctionSpec {
  /** Stable id: the construct id in CDK and the key in the local runtime. */
  readonly id: string;
  /** Module path from the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly buckets: Partial<Record<BucketName, Access>>;
  readonly table?: Access;
  /** Puts events on the hilum event bus. */
  readonly putsEvents?: boolean;
  /**
   * The per-project de-identification keys (Secrets Manager, `<prefix>/projects/<project>/deid-key`):
   * `read` their values, `describe` their versions only (no value), or `create` them (no value read).
   */
  readonly deidKeys?: DeidKeyAccess;
  /** Verifies bearer tokens (API functions). */
  readonly verifiesTokens?: boolean;
  /** Hands out page cursors, sealed with the deployment's page cursor key (layers/common/page-cursors.ts). */
  readonly pagesResults?: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

const api = (id: string, entry: string, description: string, rest: Partial<FunctionSpec>): FunctionSpec => ({
  id,
  entry,
  description,
  buckets: {},
  verifiesTokens: true,
  timeoutSeconds: 29,
  memoryMb: 512,
  ...rest,
});
const task = (id: string, entry: string, description: string, rest: Partial<FunctionSpec>): FunctionSpec => ({
  id,
  entry,
  description,
  buckets: {},
  timeoutSeconds: 300,
  memoryMb: 1024,
  ...rest,
});

/** What ingesting intake objects needs, one per invocation (IngestObject) or a queue batch (IngestBatch) alike. */
const INGEST_TASK: Partial<FunctionSpec> = {
  table: 'readwrite',
  buckets: { intake: 'readwrite', released: 'readwrite' },
  deidKeys: 'read',
  putsEvents: true,
  // The burned-in text OCR of at-risk images: Tesseract's WebAssembly heap beside the original, its copy and
  // the decoded and rendered radiograph, and a full vCPU (Lambda gives one at 1769 MB) for its worker thread.
  // Below 1769 MB CPU scales with memory, so CPU-bound work costs about the same GB-seconds at any size.
  memoryMb: 2048,
  // Lambda's most: one invocation does all of an object's (or a batch's) work; the Standard twin takes objects up to 256 MiB.
  timeoutSeconds: 900,
};

export const FUNCTIONS = {
  createSubmission: api(
    'CreateSubmission',
    'functions/api/create-submission.ts',
    'Opens a submission for a contributing site; pins the project key version',
    { table: 'readwrite', deidKeys: 'describe' },
  ),
  requestUploads: api(
    'RequestUploads',
    'functions/api/request-uploads.ts',
    'Issues presigned PUT (or multipart) URLs into the intake bucket',
    { table: 'readwrite', buckets: { intake: 'write' } },
  ),
  completeUpload: api('CompleteUpload', 'functions/api/complete-upload.ts', 'Completes a multipart upload', {
    table: 'read',
    buckets: { intake: 'write' },
  }),
  renewUpload: api('RenewUpload', 'functions/api/renew-upload.ts', 'Re-issues presigned URLs for an announced file (resumable uploads)', {
    table: 'read',
    buckets: { intake: 'readwrite' },
  }),
  completeSubmission: api('CompleteSubmission', 'functions/api/complete-submission.ts', 'Seals a submission', {
    table: 'readwrite',
    putsEvents: true,
  }),
  getSubmission: api('GetSubmission', 'functions/api/get-submission.ts', 'Shows a submission and its file outcomes', { table: 'read' }),
  listStudies: api('ListStudies', 'functions/api/list-studies.ts', 'Lists published studies', {
    table: 'read',
    buckets: { released: 'read' },
    pagesResults: true,
  }),
  studyFiles: api('StudyFiles', 'functions/api/study-files.ts', 'Presigned GET URLs for the files of a published study', {
    table: 'read',
    buckets: { released: 'read' },
  }),
  search: api('Search', 'functions/api/search.ts', 'Faceted cohort search over the in-memory search snapshot', {
    table: 'read',
    buckets: { released: 'read' },
    memoryMb: 1536,
    pagesResults: true,
  }),
  putCases: api(
    'PutCases',
    'functions/api/submission-cases-put.ts',
    "Receives a submission's cases.csv; pseudonymizes case ids with the project key",
    { table: 'readwrite', deidKeys: 'read' },
  ),
  putClinicalSheet: api(
    'PutClinicalSheet',
    'functions/api/submission-clinical-put.ts',
    "Receives one node of a submission's clinical data (CSV, TSV or JSON); pseudonymizes case ids with the project key",
    { table: 'readwrite', deidKeys: 'read' },
  ),
  fhirExportKickoff: api(
    'FhirExportKickoff',
    'functions/api/fhir-export-kickoff.ts',
    'FHIR Bulk Data kick-off of a cohort or release export: records the job and starts the export workflow',
    { table: 'readwrite', buckets: { released: 'read' }, putsEvents: true, memoryMb: 1536 },
  ),
  fhirExportStatus: api(
    'FhirExportStatus',
    'functions/api/fhir-export-status.ts',
    "A FHIR export job's status and manifest (presigned URLs of its NDJSON files); DELETE removes the job and its files",
    { table: 'readwrite', buckets: { released: 'readwrite' } },
  ),
  fhirExport: task(
    'FhirExport',
    'functions/export/fhir-export.ts',
    "The FHIR export workflow's task: a job's FHIR R4 resources as NDJSON files in the released bucket",
    { table: 'readwrite', buckets: { released: 'readwrite' }, memoryMb: 2048, timeoutSeconds: 900 },
  ),
  putLinkageTokens: api(
    'PutLinkageTokens',
    'functions/api/submission-linkage-tokens-put.ts',
    "Receives a submission's linkage tokens sheet (docs/linkage.md); pseudonymizes case ids with the project key",
    { table: 'readwrite', deidKeys: 'read' },
  ),
  linkageMatch: api(
    'LinkageMatch',
    'functions/api/linkage-match.ts',
    "The honest broker's linkage query: another registry's token sets matched against the stored tokens",
    { table: 'read', memoryMb: 1536 },
  ),
  cohortClinical: api(
    'CohortClinical',
    'functions/api/cohort-clinical.ts',
    "One clinical table of a cohort's cases (CSV, Parquet or JSON), only the studies the caller may download",
    { table: 'read', buckets: { released: 'read' } },
  ),
  saveProject: api(
    'SaveProject',
    'functions/api/projects.ts',
    'Creates or updates a project (availability, settings, sites) and creates its de-identification key',
    { table: 'readwrite', deidKeys: 'create' },
  ),
  saveProjectSites: api('SaveProjectSites', 'functions/api/project-sites.ts', 'Sets the sites that may contribute to a project', {
    table: 'readwrite',
  }),
  siteKey: api('SiteKey', 'functions/api/site-key.ts', "Gives a contributing site its project's de-identification key (audited)", {
    table: 'read',
    deidKeys: 'read',
  }),
  listProjects: api('ListProjects', 'functions/api/project-list.ts', 'Lists the projects the caller may see', { table: 'read' }),
  createRelease: api('CreateRelease', 'functions/api/release-create.ts', 'Cuts a release: manifest, frozen snapshot, Parquet export', {
    table: 'readwrite',
    buckets: { released: 'readwrite' },
    memoryMb: 2048,
  }),
  listReleases: api('ListReleases', 'functions/api/release-list.ts', 'Lists releases', { table: 'read' }),
  releaseRepresentativeness: api(
    'ReleaseRepresentativeness',
    'functions/api/release-representativeness.ts',
    "A release's Jensen-Shannon distances from reference populations, per project, with the trend",
    { table: 'read', buckets: { released: 'read' } },
  ),
  createCohort: api('CreateCohort', 'functions/api/cohorts.ts', 'Saves a cohort (filters pinned to a release)', {
    table: 'readwrite',
    buckets: { released: 'read' },
    memoryMb: 1536,
  }),
  getCohort: api('GetCohort', 'functions/api/cohort-get.ts', 'Shows a cohort with its counts', {
    table: 'read',
    buckets: { released: 'read' },
    memoryMb: 1536,
    pagesResults: true,
  }),
  cohortManifest: api('CohortManifest', 'functions/api/cohort-manifest.ts', "A cohort's manifest (one row per object, JSON or CSV)", {
    table: 'read',
    buckets: { released: 'read' },
    memoryMb: 1536,
  }),

  ingestObject: task(
    'IngestObject',
    'functions/ingest/ingest-object.ts',
    'Reads an intake object once and, in memory, parses, de-identifies, verifies, decides QA and stages it',
    INGEST_TASK,
  ),
  ingestBatch: task(
    'IngestBatch',
    'functions/ingest/ingest-batch.ts',
    'Ingests a queue batch of intake objects in one invocation, each as IngestObject would, with one answer per object',
    // IngestObject's grants and limits: its objects are processed one after another, each as IngestObject's.
    INGEST_TASK,
  ),
  quarantine: task('Quarantine', 'functions/ingest/quarantine.ts', 'Moves a failed object to quarantine with its reason', {
    table: 'readwrite',
    buckets: { intake: 'readwrite', quarantine: 'write' },
    putsEvents: true,
  }),

  indexSubmission: task(
    'IndexSubmission',
    'functions/submission/index-submission.ts',
    'Builds study records from staged instances and publishes each study in the same write',
    { table: 'readwrite' },
  ),
  publishSubmission: task(
    'PublishSubmission',
    'functions/submission/publish-submission.ts',
    'Marks a sealed submission published once its indexed studies are',
    { table: 'readwrite' },
  ),
  rebuildSnapshot: task(
    'RebuildSnapshot',
    'functions/search/rebuild-snapshot.ts',
    "Adds a published submission's studies to the search snapshot (new version)",
    { table: 'readwrite', buckets: { released: 'readwrite' }, memoryMb: 2048 },
  ),
  studyQa: task(
    'StudyQa',
    'functions/submission/study-qa.ts',
    'Series, study and submission QA rules; sends failing staged files back to quarantine',
    { table: 'readwrite', buckets: { quarantine: 'write', released: 'readwrite' } },
  ),
  qaReport: task('QaReport', 'functions/submission/qa-report.ts', "Writes a submission's QA report (JSON and Markdown) under reports/", {
    table: 'read',
    buckets: { released: 'write' },
  }),
  reconcile: task(
    'Reconcile',
    'functions/qa/reconcile.ts',
    'Re-drives stuck intake files, marks never-received files missing, announces ready submissions, deletes orphans of crashed work (scheduled)',
    { table: 'readwrite', buckets: { intake: 'readwrite', released: 'readwrite', quarantine: 'readwrite' }, putsEvents: true },
  ),

  submissionReport: api('SubmissionReport', 'functions/api/submission-report.ts', "A submission's QA report (JSON or Markdown)", {
    table: 'read',
    buckets: { released: 'read' },
  }),
  quarantineList: api('QuarantineList', 'functions/api/quarantine-list.ts', 'Lists quarantined files for curators', {
    table: 'read',
    pagesResults: true,
  }),
  quarantineGet: api('QuarantineGet', 'functions/api/quarantine-get.ts', "A quarantined file's record and audit history", {
    table: 'read',
  }),
  quarantineRelease: api(
    'QuarantineRelease',
    'functions/api/quarantine-release.ts',
    "Re-checks a quarantined file and publishes it, with a curator's reason and overrides",
    { table: 'readwrite', buckets: { quarantine: 'read', released: 'readwrite' }, deidKeys: 'read' },
  ),
  quarantinePreview: api(
    'QuarantinePreview',
    'functions/api/quarantine-preview.ts',
    "Renders a quarantined file's first frame for the curator's review",
    {
      table: 'read',
      buckets: { quarantine: 'read' },
    },
  ),
  quarantineReject: api(
    'QuarantineReject',
    'functions/api/quarantine-reject.ts',
    'Rejects a quarantined file (deletes the object, keeps the record)',
    { table: 'readwrite', buckets: { quarantine: 'readwrite' } },
  ),
  putQaConfig: api('PutQaConfig', 'functions/api/qa-config.ts', "Sets a project's QA configuration", { table: 'readwrite' }),
  getQaConfig: api('GetQaConfig', 'functions/api/qa-config-get.ts', "Reads a project's QA configuration", { table: 'read' }),

  createAccessRequest: api(
    'CreateAccessRequest',
    'functions/api/access-request-create.ts',
    'A researcher requests access to a restricted project or a cohort',
    { table: 'readwrite', buckets: { released: 'read' }, memoryMb: 1536 },
  ),
  listAccessRequests: api(
    'ListAccessRequests',
    'functions/api/access-request-list.ts',
    "Access requests: the caller's own, or all for the DAC",
    { table: 'read' },
  ),
  decideAccessRequest: api(
    'DecideAccessRequest',
    'functions/api/access-request-decide.ts',
    'The DAC approves (creating a grant) or denies an access request',
    { table: 'readwrite' },
  ),
  listGrants: api('ListGrants', 'functions/api/grant-list.ts', "Grants: the caller's own, or all for the DAC and admins", {
    table: 'read',
  }),
  revokeGrant: api('RevokeGrant', 'functions/api/grant-revoke.ts', 'Revokes a grant', { table: 'readwrite' }),
  auditLog: api('AuditLog', 'functions/api/audit-list.ts', 'The audit log for admins, filtered and paginated', {
    table: 'read',
    pagesResults: true,
  }),
  studyArchive: api(
    'StudyArchive',
    'functions/api/study-archive.ts',
    'A study or series as a zip built in S3 (streamed, cached), answered with a presigned URL',
    { table: 'read', buckets: { released: 'readwrite' }, memoryMb: 1024 },
  ),
  drsServiceInfo: api('DrsServiceInfo', 'functions/api/drs-service-info.ts', 'GA4GH DRS service-info', { table: 'read' }),
  drsObject: api('DrsObject', 'functions/api/drs-object.ts', 'GA4GH DRS objects and their presigned access URLs', {
    table: 'read',
    buckets: { released: 'read' },
    memoryMb: 1536,
  }),
  qido: api('Qido', 'functions/api/dicomweb-qido.ts', 'DICOMweb QIDO-RS: studies, series and instances (DICOM JSON)', {
    table: 'read',
    buckets: { released: 'read' },
    memoryMb: 1536,
  }),
  wadoInstance: api(
    'WadoInstance',
    'functions/api/dicomweb-wado.ts',
    'DICOMweb WADO-RS study, series and instance retrieval (multipart/related, transfer syntax negotiated)',
    { table: 'read', buckets: { released: 'readwrite' }, memoryMb: 1536 },
  ),
  wadoFrames: api(
    'WadoFrames',
    'functions/api/dicomweb-frames.ts',
    'DICOMweb WADO-RS frames and bulk data (multipart/related, native or as stored)',
    { table: 'read', buckets: { released: 'readwrite' }, memoryMb: 1536 },
  ),
  stow: api(
    'Stow',
    'functions/api/dicomweb-stow.ts',
    "DICOMweb STOW-RS: instances into a site's open submission (intake), Store Instances Response",
    // The project key (read) remaps UIDs into the Retrieve URLs of what will be published.
    { table: 'readwrite', buckets: { intake: 'write' }, deidKeys: 'read', memoryMb: 1024 },
  ),
  wadoMetadata: api(
    'WadoMetadata',
    'functions/api/dicomweb-metadata.ts',
    'DICOMweb WADO-RS study, series and instance metadata (DICOM JSON, BulkDataURIs)',
    // readwrite: a metadata answer above the inline limit is stored under wado/ and answered 303.
    { table: 'read', buckets: { released: 'readwrite' }, memoryMb: 1536 },
  ),
  rendered: api(
    'Rendered',
    'functions/api/dicomweb-rendered.ts',
    'DICOMweb WADO-RS rendered resources and thumbnails (image/jpeg, image/png)',
    { table: 'read', buckets: { released: 'readwrite' }, memoryMb: 2048 },
  ),
  createEvaluation: api(
    'CreateEvaluation',
    'functions/api/evaluation-create.ts',
    "Declares a model evaluation (quota per evaluator) and issues the model's presigned PUT into the private evaluations/ prefix",
    { table: 'readwrite', buckets: { released: 'write' } },
  ),
  runEvaluation: api(
    'RunEvaluation',
    'functions/api/evaluation-run.ts',
    'Checks the uploaded model (size, SHA-256) and starts the evaluation workflow',
    { table: 'readwrite', buckets: { released: 'read' }, putsEvents: true, memoryMb: 1024 },
  ),
  getEvaluation: api('GetEvaluation', 'functions/api/evaluation-get.ts', "An evaluation's status and aggregate report", { table: 'read' }),
  evaluationCases: task(
    'EvaluationCases',
    'functions/evaluation/evaluation-cases.ts',
    "Lists an evaluation's sequestered cases and the image of each (kept in the private evaluations/ prefix)",
    { table: 'read', buckets: { released: 'readwrite' } },
  ),
  scoreCase: task(
    'ScoreCase',
    'functions/evaluation/score-case.ts',
    "Runs the evaluator's ONNX model on one case's image (score kept private)",
    {
      table: 'read',
      buckets: { released: 'readwrite' },
      memoryMb: 2048,
    },
  ),
  aggregateEvaluation: task(
    'AggregateEvaluation',
    'functions/evaluation/aggregate-evaluation.ts',
    "Computes an evaluation's aggregate report from its private per-case scores; audits it",
    { table: 'readwrite', buckets: { released: 'read' } },
  ),
  publicApi: api(
    'PublicApi',
    'functions/api/public.ts',
    'GET /health and GET /openapi.json: for anyone, no token, no data (the version and the API description)',
    { verifiesTokens: false, memoryMb: 256, timeoutSeconds: 10 },
  ),
} satisfies Record<string, FunctionSpec>;

export type FunctionKey = keyof typeof FUNCTIONS;

/**
 * Functions that run only while CloudFormation deploys, built by the construct that uses them (not by
 * the stack's loop over FUNCTIONS): no environment, their grants are the construct's.
 */
export const DEPLOY_FUNCTIONS = {
  publishPortal: task(
    'PublishPortal',
    'functions/deploy/publish-portal.ts',
    "Deploy-time custom resource: copies the portal build into its bucket, writes its config, clears CloudFront's copies",
    { memoryMb: 256, timeoutSeconds: 300 },
  ),
} satisfies Record<string, FunctionSpec>;

/**
 * The function that serves each route of the REST API. The routes themselves (method,
 * path, who may call them) are the route catalogue of the authorization module
 * (layers/access/matrix.ts); this table is typed by its route ids, so a route without a
 * function, or a function's route that the catalogue (and so the access matrix) lacks,
 * does not compile.
 */
export const ROUTE_FUNCTIONS: Readonly<Record<RouteId, FunctionKey>> = {
  createSubmission: 'createSubmission',
  getSubmission: 'getSubmission',
  requestUploads: 'requestUploads',
  completeUpload: 'completeUpload',
  renewUpload: 'renewUpload',
  completeSubmission: 'completeSubmission',
  submissionReport: 'submissionReport',
  putCases: 'putCases',
  putClinicalSheet: 'putClinicalSheet',
  putLinkageTokens: 'putLinkageTokens',
  stowStudies: 'stow',
  stowStudy: 'stow',
  listQuarantine: 'quarantineList',
  getQuarantined: 'quarantineGet',
  releaseQuarantined: 'quarantineRelease',
  rejectQuarantined: 'quarantineReject',
  previewQuarantined: 'quarantinePreview',
  putQaConfig: 'putQaConfig',
  getQaConfig: 'getQaConfig',
  saveProject: 'saveProject',
  saveProjectSites: 'saveProjectSites',
  getSiteKey: 'siteKey',
  listProjects: 'listProjects',
  createRelease: 'createRelease',
  listReleases: 'listReleases',
  releaseRepresentativeness: 'releaseRepresentativeness',
  listStudies: 'listStudies',
  studyFiles: 'studyFiles',
  studyArchive: 'studyArchive',
  searchPost: 'search',
  searchGet: 'search',
  createCohort: 'createCohort',
  getCohort: 'getCohort',
  cohortManifest: 'cohortManifest',
  cohortClinical: 'cohortClinical',
  fhirGroupExport: 'fhirExportKickoff',
  fhirReleaseExport: 'fhirExportKickoff',
  fhirExportStatus: 'fhirExportStatus',
  fhirExportDelete: 'fhirExportStatus',
  createAccessRequest: 'createAccessRequest',
  listAccessRequests: 'listAccessRequests',
  approveAccessRequest: 'decideAccessRequest',
  denyAccessRequest: 'decideAccessRequest',
  listGrants: 'listGrants',
  revokeGrant: 'revokeGrant',
  auditLog: 'auditLog',
  linkageMatch: 'linkageMatch',
  createEvaluation: 'createEvaluation',
  runEvaluation: 'runEvaluation',
  getEvaluation: 'getEvaluation',
  drsServiceInfo: 'drsServiceInfo',
  drsObject: 'drsObject',
  drsAccess: 'drsObject',
  qidoStudies: 'qido',
  qidoSeries: 'qido',
  qidoInstances: 'qido',
  qidoStudyInstances: 'qido',
  qidoAllSeries: 'qido',
  qidoAllInstances: 'qido',
  wadoInstance: 'wadoInstance',
  wadoStudy: 'wadoInstance',
  wadoSeries: 'wadoInstance',
  wadoFrames: 'wadoFrames',
  wadoBulkData: 'wadoFrames',
  wadoInstanceMetadata: 'wadoMetadata',
  wadoStudyMetadata: 'wadoMetadata',
  wadoSeriesMetadata: 'wadoMetadata',
  renderedStudy: 'rendered',
  renderedSeries: 'rendered',
  renderedInstance: 'rendered',
  renderedFrames: 'rendered',
  thumbnailStudy: 'rendered',
  thumbnailSeries: 'rendered',
  thumbnailInstance: 'rendered',
  thumbnailFrames: 'rendered',
};

/** A route of the REST API with the function that serves it. */
export interface Route {
  readonly id: RouteId;
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/submissions/{submissionId}`. */
  readonly path: string;
  readonly fn: FunctionKey;
}

/**
 * The REST API, one method per route, in the catalogue's order: CDK builds the API
 * Gateway resources from it (infra/constructs/api.ts) and the local API server routes
 * requests with it. Who may call a route is decided inside the handler chain from the
 * same catalogue, so the decision is the same in both worlds.
 */
export const ROUTES: readonly Route[] = ROUTE_POLICIES.map(({ id, method, path }) => ({ id, method, path, fn: ROUTE_FUNCTIONS[id] }));

/** A route anyone may call (layers/access/public-routes.ts): no authorizer, no token. */
export interface PublicRoute {
  readonly id: PublicRouteId;
  readonly method: HttpMethod;
  readonly path: string;
  readonly fn: FunctionKey;
}

const PUBLIC_ROUTE_FUNCTIONS: Readonly<Record<PublicRouteId, FunctionKey>> = { health: 'publicApi', apiDescription: 'publicApi' };

export const PUBLIC_ROUTES: readonly PublicRoute[] = PUBLIC_ROUTE_POLICIES.map(({ id, method, path }) => ({
  id,
  method,
  path,
  fn: PUBLIC_ROUTE_FUNCTIONS[id],
}));

/** Every route the API serves, signed-in and public: what the local API server routes. */
export type ServedRoute = Route | PublicRoute;

/** The environment variables a function needs, derived from what it uses. */
export function environmentNamesFor(spec: FunctionSpec): EnvName[] {
  const names: EnvName[] = [];
  if (spec.buckets.intake) names.push(ENV.intakeBucket);
  if (spec.buckets.quarantine) names.push(ENV.quarantineBucket);
  if (spec.buckets.released) names.push(ENV.releasedBucket);
  if (spec.table) names.push(ENV.catalogTable);
  if (spec.putsEvents) names.push(ENV.eventBusName);
  if (spec.deidKeys) names.push(ENV.deidKeyPrefix);
  if (spec.deidKeys === 'create') names.push(ENV.deidKeyKmsKeyArn);
  if (spec.verifiesTokens) names.push(ENV.authIssuer, ENV.authJwksUrl, ENV.authAudience, ENV.apiOrigins);
  if (spec.pagesResults) names.push(ENV.pageCursorSecretId);
  return names;
}
