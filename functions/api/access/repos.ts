import { AuditLog } from '../../../layers/adapters/aws/dynamodb/audit-log';
import { documentClient } from '../../../layers/adapters/aws/clients';
import { lazyConfig, requireEnv } from '../../../layers/common/config';
import { ENV } from '../../../layers/common/env-names';

/** The audit log, built once per container (access requests and grants: the context's accessRepository). */
export const auditLog = lazyConfig(() => new AuditLog(documentClient(), requireEnv(ENV.catalogTable)));
