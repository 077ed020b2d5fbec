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
  // Access requests, grants, audit
  createAccessRequest: 'request access to a restricted project or a cohort',
  listAccessRequests: 'access requests',
  approveAccessRequest: 'approve a request (creates a grant)',
  denyAccessRequest: 'deny a request',
  listGrants: 'grants',
  revokeGrant: 'revoke a grant',
  auditLog: 'the audit log',
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
