import { QaRepository } from '../adapters/aws/dynamodb/qa-repository';
import { documentClient } from '../adapters/aws/clients';
import { lazyConfig, requireEnv } from '../common/config';
import { ENV } from '../common/env-names';
import { loadQaConfig, type QaConfig } from '../qa';

/** QA's repository, built once per container (the table name is the catalog's). */
export const qaRepository = /* @__PURE__ */ lazyConfig(() => new QaRepository(documentClient(), requireEnv(ENV.catalogTable)));

/** A project's QA configuration: its stored JSON validated, or the default. */
export async function projectQaConfig(project: string): Promise<QaConfig> {
  return loadQaConfig(await qaRepository().getProjectConfig(project));
}
