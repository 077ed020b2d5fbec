import { AccessRepository } from '../../../layers/catalog/access-repository';
import { AuditLog } from '../../../layers/catalog/audit';
import { documentClient } from '../../../layers/adapters/aws/clients';
import { lazyConfig, requireEnv } from '../../../layers/common/config';
import { ENV } from '../../../layers/common/env-names';

/** Access requests and grants, and the audit log, built once per container. */
export const accessRepository = lazyConfig(() => new AccessRepository(documentClient(), requireEnv(ENV.catalogTable)));
export const auditLog = lazyConfig(() => new AuditLog(documentClient(), requireEnv(ENV.catalogTable)));
