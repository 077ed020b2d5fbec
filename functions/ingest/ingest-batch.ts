import { taskHandler } from '../../layers/adapters/aws/task';
import { ingestBatchInput, type IngestBatchResult } from '../../layers/pipeline/ingest-states';
import { ingestQueuedObjects } from '../../layers/services/ingest-batch';

/**
 * The batch ingest workflow's task: the intake objects of one queue batch (S3 events -> SQS -> EventBridge
 * Pipe), each ingested as IngestObject would, in one invocation. It answers one execution state per record,
 * in record order (`ingest`, or a file error as `error`) for the workflow's Map to route; a platform,
 * transient or resource-limit error of any object fails the whole batch.
 */
export const handler = taskHandler(ingestBatchInput, async function ingestBatch({ records }): Promise<IngestBatchResult> {
  return { items: await ingestQueuedObjects(records) };
});
