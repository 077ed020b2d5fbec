import { AccessRepository } from '../adapters/aws/dynamodb/access-repository';
import { AuditHistory } from '../adapters/aws/dynamodb/audit-history';
import { AuditLog } from '../adapters/aws/dynamodb/audit-log';
import { ClinicalRepository } from '../adapters/aws/dynamodb/clinical-repository';
import { FhirExportRepository } from '../adapters/aws/dynamodb/fhir-export-repository';
import { IntakeRepository } from '../adapters/aws/dynamodb/intake-repository';
import { ProjectRepository } from '../adapters/aws/dynamodb/project-repository';
import { PublicationRepository } from '../adapters/aws/dynamodb/publication-repository';
import { ReleaseRepository } from '../adapters/aws/dynamodb/release-repository';
import { documentClient, eventBridgeClient, s3Client, secretsClient } from '../adapters/aws/clients';
import { lazyConfig, numberEnv, requireEnv } from '../common/config';
import { ENV } from '../common/env-names';
import { PipelineEvents } from '../adapters/aws/events';
import { ObjectStore } from '../adapters/aws/objects';
import { ProjectKeyStore } from '../adapters/aws/secrets';
import type { Submission } from '../catalog/entities';
import type { StudyIndexStore } from './study-index';

/**
 * What handlers share, built once per container on first use. Each getter reads
 * only the variables its resource needs, so a function fails fast on a missing
 * variable for a resource it actually uses. Every getter is marked pure so that
 * esbuild drops the getters (and the SDK clients behind them) a function never
 * calls: without the mark, a handler importing one getter bundles them all.
 */
/** The catalog table, one repository per aggregate (layers/adapters/aws/dynamodb/). */
export const intakeRepository = /* @__PURE__ */ lazyConfig(() => new IntakeRepository(documentClient(), requireEnv(ENV.catalogTable)));
export const publicationRepository = /* @__PURE__ */ lazyConfig(
  () => new PublicationRepository(documentClient(), requireEnv(ENV.catalogTable)),
);
export const projectRepository = /* @__PURE__ */ lazyConfig(() => new ProjectRepository(documentClient(), requireEnv(ENV.catalogTable)));
export const clinicalRepository = /* @__PURE__ */ lazyConfig(() => new ClinicalRepository(documentClient(), requireEnv(ENV.catalogTable)));
export const accessRepository = /* @__PURE__ */ lazyConfig(() => new AccessRepository(documentClient(), requireEnv(ENV.catalogTable)));
export const releaseRepository = /* @__PURE__ */ lazyConfig(() => new ReleaseRepository(documentClient(), requireEnv(ENV.catalogTable)));
export const fhirExportRepository = /* @__PURE__ */ lazyConfig(
  () => new FhirExportRepository(documentClient(), requireEnv(ENV.catalogTable)),
);
/** The append-only audit log: access decisions, curation, key hand-outs. */
export const auditLog = /* @__PURE__ */ lazyConfig(() => new AuditLog(documentClient(), requireEnv(ENV.catalogTable)));
/** Reading the audit log: GET /audit, a target's history. */
export const auditHistory = /* @__PURE__ */ lazyConfig(() => new AuditHistory(documentClient(), requireEnv(ENV.catalogTable)));
/** What indexing reads and writes (study-index.ts): a submission's studies from intake, the rest (a study's claim with its instances) from publication. */
export const studyIndexStore = /* @__PURE__ */ lazyConfig((): StudyIndexStore => {
  const intake = intakeRepository();
  const publication = publicationRepository();
  return {
    listSubmissionStudyUids: (submissionId) => intake.listSubmissionStudyUids(submissionId),
    readStudy: (studyUid) => publication.readStudy(studyUid),
    listInstances: (studyUid) => publication.listInstances(studyUid),
    upsertStudyAggregate: (study, publishAt) => publication.upsertStudyAggregate(study, publishAt),
    putSeries: (series) => publication.putSeries(series),
  };
});
export const objects = /* @__PURE__ */ lazyConfig(() => new ObjectStore(s3Client()));
export const pipelineEvents = /* @__PURE__ */ lazyConfig(() => new PipelineEvents(eventBridgeClient(), requireEnv(ENV.eventBusName)));
const projectKeys = /* @__PURE__ */ lazyConfig(() => new ProjectKeyStore(secretsClient(), requireEnv(ENV.deidKeyPrefix)));
/**
 * The secret that keys a submission's files: its project's key at the version the
 * submission pinned when it opened (the current one for submissions opened before
 * versions were pinned). Registry: `deidKeys: 'read'`.
 */
export const deidKeyFor = async (submission: Pick<Submission, 'project' | 'deidKeyVersion'>) =>
  (await projectKeys().read(submission.project, submission.deidKeyVersion)).secret;
/** The project's current key and its version, for a contributing site. Registry: `deidKeys: 'read'`. */
export const currentDeidKey = (project: string) => projectKeys().read(project);
/** The version a new submission pins, without reading the key. Registry: `deidKeys: 'describe'`. */
export const currentDeidKeyVersion = (project: string) => projectKeys().currentVersion(project);
/** Creates the project's key unless it exists. Registry: `deidKeys: 'create'`. */
export const createDeidKey = (project: string) => projectKeys().create(project, requireEnv(ENV.deidKeyKmsKeyArn));

export const buckets = {
  intake: /* @__PURE__ */ lazyConfig(() => requireEnv(ENV.intakeBucket)),
  quarantine: /* @__PURE__ */ lazyConfig(() => requireEnv(ENV.quarantineBucket)),
  released: /* @__PURE__ */ lazyConfig(() => requireEnv(ENV.releasedBucket)),
};

export const limits = /* @__PURE__ */ lazyConfig(() => ({
  multipartThresholdBytes: numberEnv(ENV.multipartThresholdBytes, 100 * 1024 * 1024),
  uploadUrlTtlSeconds: numberEnv(ENV.uploadUrlTtlSeconds, 3600),
  downloadUrlTtlSeconds: numberEnv(ENV.downloadUrlTtlSeconds, 900),
}));
