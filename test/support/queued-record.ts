import type { QueuedObjectRecord } from '../../layers/pipeline/ingest-states';

/** An SQS record as the intake pipe hands it to IngestBatch: its body the S3 "Object Created" event of `key` in `bucket`. */
export function queuedObjectRecord(bucket: string, key: string, messageId = `m-${key}`): QueuedObjectRecord {
  return {
    messageId,
    receiptHandle: 'r',
    eventSource: 'aws:sqs',
    body: JSON.stringify({ 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: { name: bucket }, object: { key } } }),
  };
}
