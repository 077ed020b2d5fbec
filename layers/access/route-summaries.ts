import type { RouteId } from './matrix';

/**
 * What each route of the catalogue (matrix.ts) does, in a few words: the "what"
 * column of docs/access.md's route table. Documentation text, kept out of
 * ROUTE_CATALOGUE because every API handler bundles the catalogue for its gate
 * and none of them needs these words. Keyed by route id, so a route without a
 * summary, or a summary of a route the catalogue does not have, does not compile.
 */
export const ROUTE_SUMMARIES: Readonly<Record<RouteId, string>> = {
  // Site intake
  createSubmission: "open a submission for one of the caller's sites, in a project that lists the site",
  getSubmission: 'a submission and its file outcomes',
  requestUploads: 'announce files, presigned PUT URLs',
  completeUpload: 'complete a multipart upload',
  renewUpload: 'fresh upload URLs (resume)',
  completeSubmission: 'seal a submission',
  submissionReport: "a submission's QA report",
  putCases: "a submission's cases.csv",
  putClinicalSheet: "one node of a submission's clinical data (docs/clinical-dictionary.md)",
  putLinkageTokens: "a submission's linkage tokens sheet from `hilum link-tokens` (docs/linkage.md)",
  stowStudies: 'STOW-RS: store instances into an open submission',
  stowStudy: "STOW-RS: store one study's instances into an open submission",
  // Curation
  listQuarantine: 'quarantined files',
  getQuarantined: 'a quarantine record and its history',
  releaseQuarantined: 'release a quarantined file',
  rejectQuarantined: 'reject a quarantined file',
  previewQuarantined: "a quarantined file's first frame as PNG (burned-in review)",
  putQaConfig: "a project's QA configuration",
  getQaConfig: "a project's QA configuration (a contributing site checks its files with it before upload)",
  saveProject: 'create or update a project (and create its de-identification key)',
  saveProjectSites: 'the sites that may contribute to a project',
  getSiteKey: "the project's de-identification key, for a contributing site",
  listProjects: 'projects (researchers: the ones they may see)',
  createRelease: 'cut a release',
  listReleases: 'releases',
  releaseRepresentativeness:
    "a release's distance from its projects' reference populations (Jensen-Shannon), with the trend (researchers: open cases only; docs/sequestration.md)",
  // Discovery and data
  listStudies: 'published studies',
  studyFiles: "presigned GET URLs of a study's files",
  studyArchive: 'a study or series as a zip (presigned URL)',
  searchPost: 'faceted search',
  searchGet: 'faceted search (query string)',
  createCohort: 'save a cohort',
  getCohort: 'a cohort and its counts',
  cohortManifest: "a cohort's manifest (objects the caller may download)",
  cohortClinical: "a cohort's clinical table of one node (CSV, Parquet or JSON; the cases of the studies the caller may download)",
  fhirGroupExport: "FHIR Bulk Data kick-off of a cohort's export (the studies the caller may download, their cases and clinical records)",
  fhirReleaseExport: "FHIR Bulk Data kick-off of a release's export (all of it)",
  fhirExportStatus: "a FHIR export job's status: progress, then the manifest of its NDJSON files (presigned URLs)",
  fhirExportDelete: 'cancels a FHIR export job or deletes its files',
  // Access requests, grants, audit
  createAccessRequest: 'request access to a restricted project or a cohort',
  listAccessRequests: 'access requests',
  approveAccessRequest: 'approve a request (creates a grant)',
  denyAccessRequest: 'deny a request',
  listGrants: 'grants',
  revokeGrant: 'revoke a grant',
  auditLog: 'the audit log',
  linkageMatch: "match another registry's linkage token sets against the stored ones: case pseudonyms and match strength (docs/linkage.md)",
  createEvaluation: "declares a model evaluation on a project's sequestered cases (quota: 429) and answers a presigned PUT for the model",
  runEvaluation: 'checks the uploaded model against its declared size and SHA-256 and starts the run',
  getEvaluation: "an evaluation's status and aggregate report (never a per-case output)",
  // GA4GH DRS 1.x
  drsServiceInfo: 'DRS service info',
  drsObject: 'a DRS object',
  drsAccess: 'a presigned URL of a DRS object',
  // DICOMweb (reads)
  qidoStudies: 'QIDO-RS studies',
  qidoSeries: 'QIDO-RS series',
  qidoInstances: 'QIDO-RS instances',
  qidoStudyInstances: 'QIDO-RS instances of a study',
  qidoAllSeries: 'QIDO-RS series of every study',
  qidoAllInstances: 'QIDO-RS instances of every study',
  wadoInstance: 'WADO-RS instance',
  wadoStudy: 'WADO-RS study',
  wadoSeries: 'WADO-RS series',
  wadoFrames: 'WADO-RS frames',
  wadoBulkData: 'WADO-RS bulk data',
  wadoInstanceMetadata: 'WADO-RS instance metadata',
  wadoStudyMetadata: 'WADO-RS study metadata',
  wadoSeriesMetadata: 'WADO-RS series metadata',
  renderedStudy: 'WADO-RS rendered study',
  renderedSeries: 'WADO-RS rendered series',
  renderedInstance: 'WADO-RS rendered instance',
  renderedFrames: 'WADO-RS rendered frames',
  thumbnailStudy: 'WADO-RS study thumbnail',
  thumbnailSeries: 'WADO-RS series thumbnail',
  thumbnailInstance: 'WADO-RS instance thumbnail',
  thumbnailFrames: 'WADO-RS frame thumbnail',
};
