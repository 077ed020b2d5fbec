import { AuditLog } from '../catalog/audit';
import { QaRepository } from '../catalog/qa-repository';
import { documentClient } from '../adapters/aws/clients';
import { lazyConfig, requireEnv } from '../common/config';
import { ENV } from '../common/env-names';
import { loadQaConfig, type QaConfig } from '../qa';

/** QA's adapters, built once per container (the table name is the catalog's). */
export const qaRepository = lazyConfig(() => new QaRepository(documentClient(), requireEnv(ENV.catalogTable)));
export const auditLog = lazyConfig(() => new AuditLog(documentClient(), requireEnv(ENV.catalogTable)));

/** A project's QA configuration: its stored JSON validated, or the default. */
export async function projectQaConfig(project: string): Promise<QaConfig> {
  return loadQaConfig(await qaRepository().getProjectConfig(project));
}

/** Where a submission's QA report lives in the released bucket (no PHI: ids, rule ids, value-free messages). */
export const reportKeys = (submissionId: string) => ({
  json: `reports/${submissionId}/qa-report.json`,
  markdown: `reports/${submissionId}/qa-report.md`,
});

/** Quarantine object keys: the same layout for ingest-time and study-level quarantine. */
export const quarantineKeys = (submissionId: string, fileId: string) => ({
  object: `quarantine/${submissionId}/${fileId}`,
  sidecar: `quarantine/${submissionId}/${fileId}.json`,
});
