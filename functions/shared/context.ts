import { CatalogRepository } from '../../layers/catalog/repository';
import { documentClient, eventBridgeClient, s3Client, secretsClient } from '../../layers/common/clients';
import { lazyConfig, numberEnv, requireEnv } from '../../layers/common/config';
import { ENV } from '../../layers/common/env-names';
import { PipelineEvents } from '../../layers/common/events';
import { ObjectStore } from '../../layers/common/objects';
import { SecretReader } from '../../layers/common/secrets';

/**
 * What handlers share, built once per container on first use. Each getter reads
 * only the variables its resource needs, so a function fails fast on a missing
 * variable for a resource it actually uses.
 */
export const catalog = lazyConfig(() => new CatalogRepository(documentClient(), requireEnv(ENV.catalogTable)));
export const objects = lazyConfig(() => new ObjectStore(s3Client()));
export const pipelineEvents = lazyConfig(() => new PipelineEvents(eventBridgeClient(), requireEnv(ENV.eventBusName)));
const secretReader = lazyConfig(() => new SecretReader(secretsClient()));
export const deidSecret = () => secretReader().read(requireEnv(ENV.deidSecretId));

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
