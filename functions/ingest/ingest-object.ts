import { taskHandler } from '../../layers/adapters/aws/task';
import { ingestObjectInput, type IngestObjectResult } from '../../layers/pipeline/ingest-states';
import { ingestIntakeObject } from '../../layers/services/ingest-intake-object';

/**
 * The per-object ingest workflows' one processing task (Express `ingest`, Standard `ingest-large`, the
 * reconciler's re-drives, the batch workflow's fallback): one intake object, read once and de-identified,
 * verified, QA-decided and staged in memory (layers/services/ingest-intake-object.ts). A file error is thrown
 * and the workflow quarantines the file with its reason.
 */
export const handler = taskHandler(ingestObjectInput, async function ingestObject({ bucket, key }): Promise<IngestObjectResult> {
  return ingestIntakeObject(bucket, key);
});
