import { logger } from '../adapters/aws/powertools';
import { asTaskError } from '../adapters/aws/task';
import { objectCreatedEvent, type IngestExecutionState, type IngestObjectResult, type QueuedObjectRecord } from '../pipeline/ingest-states';
import { PLATFORM_ERRORS, RESOURCE_LIMIT_ERRORS } from '../pipeline/task-errors';
import { buckets } from './commons-context';
import { ingestIntakeObject } from './ingest-intake-object';

/** Errors that say the platform (or the task's limits) failed, not the file: they fail the whole batch, never an item. */
const BATCH_FAILURES: ReadonlySet<string> = new Set<string>([...PLATFORM_ERRORS, ...RESOURCE_LIMIT_ERRORS]);

/** The intake object a record names, or why the record names none. */
type Named = { readonly bucket: string; readonly key: string } | { readonly unreadable: string };

/**
 * Ingests the objects of one queue batch, each as IngestObject would (layers/services/ingest-intake-object.ts),
 * and answers one execution state per record, in record order: `ingest` with the object's outcome, or `error`
 * with a file error as a per-object workflow's Catch would hold it, so the batch workflow's Quarantine reads the
 * same reason. A platform, transient or resource-limit error of any object is thrown: the workflow retries the
 * batch (objects already finished answer `already-handled`) and then falls back to the per-object path.
 *
 * The same object twice in one batch (at-least-once delivery) is ingested once; its other record answers as a
 * repeat would: `already-handled` after a staging, else the same outcome (Quarantine is safe to repeat).
 */
export async function ingestQueuedObjects(records: readonly QueuedObjectRecord[]): Promise<IngestExecutionState[]> {
  const done = new Map<string, IngestExecutionState>();
  const items: IngestExecutionState[] = [];
  for (const record of records) {
    const named = namedObject(record);
    if ('unreadable' in named) {
      logger.warn('a queued record names no intake object', { messageId: safeId(record.messageId), why: named.unreadable });
      items.push(unreadableRecordItem(record, named.unreadable));
      continue;
    }
    const detail = { bucket: { name: named.bucket }, object: { key: named.key } };
    const identity = `${named.bucket}\u0000${named.key}`;
    const earlier = done.get(identity);
    if (earlier) {
      items.push(repeatOf(earlier));
      continue;
    }
    const item = { detail, ...(await ingestOrFileError(named.bucket, named.key)) };
    done.set(identity, item);
    items.push(item);
  }
  return items;
}

/** The object's outcome, or the file error a per-object workflow would quarantine it with; batch failures are thrown. */
async function ingestOrFileError(bucket: string, key: string): Promise<Pick<IngestExecutionState, 'ingest' | 'error'>> {
  try {
    return { ingest: await ingestIntakeObject(bucket, key) };
  } catch (thrown) {
    const error = asTaskError(thrown);
    if (BATCH_FAILURES.has(error.name)) throw error;
    logger.warn('file error', { error: error.name });
    return { error: caughtFileError(error.name, error.message) };
  }
}

/**
 * The `{Error, Cause}` a Step Functions Catch gives for a Lambda function error: the error's name, and Lambda's
 * JSON of its type and (already value-free: asTaskError) message, which Quarantine's reason reads.
 */
export function caughtFileError(name: string, message: string): NonNullable<IngestExecutionState['error']> {
  return { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message }) };
}

/** What a second record of an object already ingested in this batch answers. */
function repeatOf(earlier: IngestExecutionState): IngestExecutionState {
  const ingest: IngestObjectResult | undefined = earlier.ingest;
  if (ingest?.outcome === 'staged') {
    return { detail: earlier.detail, ingest: { outcome: 'already-handled', submissionId: ingest.submissionId, fileId: ingest.fileId } };
  }
  return structuredClone(earlier);
}

function namedObject(record: QueuedObjectRecord): Named {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { unreadable: 'the body is not JSON' };
  }
  const event = objectCreatedEvent.safeParse(body);
  if (!event.success) return { unreadable: 'the body is not an Object Created event' };
  const { bucket, object } = event.data.detail;
  // Only the intake bucket's objects are ingested: Quarantine would otherwise move an object of another bucket.
  if (bucket.name !== buckets.intake()) return { unreadable: 'the event names another bucket than intake' };
  return { bucket: bucket.name, key: object.key };
}

/**
 * A record that names no intake object cannot be ingested or quarantined as an object: its item names a key
 * under `unreadable-record/` in the intake bucket, which holds no object there, so Quarantine records it as an
 * unannounced, missing object with the reason (the record's trace) and touches nothing else.
 */
function unreadableRecordItem(record: QueuedObjectRecord, why: string): IngestExecutionState {
  return {
    detail: { bucket: { name: buckets.intake() }, object: { key: `unreadable-record/${safeId(record.messageId)}` } },
    error: caughtFileError('InvalidTaskInput', `a queued record names no intake object: ${why}`),
  };
}

/** A message id as it may appear in a key and a log line: SQS's are UUIDs; anything else is cut to that alphabet. */
function safeId(messageId: string): string {
  return messageId.replace(/[^A-Za-z0-9-]/g, '_').slice(0, 80) || 'no-id';
}
