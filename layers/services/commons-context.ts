import { CatalogRepository } from '../catalog/repository';
import { documentClient, eventBridgeClient, s3Client, secretsClient } from '../adapters/aws/clients';
import { lazyConfig, numberEnv, requireEnv } from '../common/config';
import { ENV } from '../common/env-names';
import { PipelineEvents } from '../adapters/aws/events';
import { ObjectStore } from '../adapters/aws/objects';
import { ProjectKeyStore } from '../adapters/aws/secrets';
import type { Submission } from '../catalog/entities';

/**
 * What handlers share, built once per container on first use. Each getter reads
 * only the variables its resource needs, so a function fails fast on a missing
 * variable for a resource it actually uses.
 */
export const catalog = lazyConfig(() => new CatalogRepository(documentClient(), requireEnv(ENV.catalogTable)));
export const objects = lazyConfig(() => new ObjectStore(s3Client()));
export const pipelineEvents = lazyConfig(() => new PipelineEvents(eventBridgeClient(), requireEnv(ENV.eventBusName)));
const projectKeys = lazyConfig(() => new ProjectKeyStore(secretsClient(), requireEnv(ENV.deidKeyPrefix)));
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
  intake: lazyConfig(() => requireEnv(ENV.intakeBucket)),
  quarantine: lazyConfig(() => requireEnv(ENV.quarantineBucket)),
  released: lazyConfig(() => requireEnv(ENV.releasedBucket)),
};

export const limits = lazyConfig(() => ({
  multipartThresholdBytes: numberEnv(ENV.multipartThresholdBytes, 100 * 1024 * 1024),
  uploadUrlTtlSeconds: numberEnv(ENV.uploadUrlTtlSeconds, 3600),
  downloadUrlTtlSeconds: numberEnv(ENV.downloadUrlTtlSeconds, 900),
}));
