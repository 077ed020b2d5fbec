import { logger } from '../adapters/aws/powertools';
import { asTaskError } from '../adapters/aws/task';
import { objectCreatedEvent, type IngestExecutionState, type IngestObjectResult, type QueuedObjectRecord } from '../pipeline/ingest-states';
import { PLATFORM_ERRORS, RESOURCE_LIMIT_ERRORS } from '../pipeline/task-errors';
import { STAGED_PER_TRANSACTION, type ClaimsSeen } from '../adapters/aws/dynamodb/intake-repository';
import { buckets, intakeRepository, objects as objectStore } from './commons-context';
import { processIntakeObject, settleSopClaim, stagedAnswer, type ProcessedObject, type ReadyToStage } from './ingest-intake-object';
import { lookUpIntakeObjects } from './intake-object';
import { finishRelease, instanceClaimOf, recordRelease, releaseInstance, type ReleasedInstance } from './stage-instance';
import { claimSopUid } from './sop-claim';
import { announceIfReady } from './submission-readiness';

/** Errors that say the platform (or the task's limits) failed, not the file: they fail the whole batch, never an item. */
const BATCH_FAILURES: ReadonlySet<string> = new Set<string>([...PLATFORM_ERRORS, ...RESOURCE_LIMIT_ERRORS]);

/** The intake object a record names, or why the record names none. */
type Named = { readonly bucket: string; readonly key: string } | { readonly unreadable: string };

/**
 * The most bytes of verified copies a batch holds before it stages them: a group's copies wait in memory for the one
 * read of their claims, their SOP claims' transaction and their staging transaction. Ten CT slices (5 MB) stage
 * together; radiographs (10 MB) three at a time, so the next group's copies are joined into the memory the group
 * before gave back (layers/services/object-memory.ts) instead of ten new 10 MB buffers held to the batch's end.
 */
export const STAGING_GROUP_BYTES = 32 * 1024 * 1024;

/**
 * Ingests the objects of one queue batch, each as IngestObject would (layers/services/ingest-intake-object.ts),
 * and answers one execution state per record, in record order: `ingest` with the object's outcome, or `error`
 * with a file error as a per-object workflow's Catch would hold it, so the batch workflow's Quarantine reads the
 * same reason. A platform, transient or resource-limit error of any object is thrown: the workflow retries the
 * batch (objects already finished answer `already-handled`) and then falls back to the per-object path.
 *
 * What the objects share: one read of their files and QA configurations; their claims read once per group of
 * copies (STAGING_GROUP_BYTES), after the group is verified; a group's originals deleted together once it is staged,
 * and each submission's readiness checked once, after every staging of the batch. A crash before that end leaves staged
 * files whose originals are still in intake: the retry (or the per-object fallback, or the reconciler) finds them
 * `already-handled` and finishes them, as after a crash of IngestObject between its catalog write and its deletion.
 *
 * The same object twice in one batch (at-least-once delivery) is ingested once; its other record answers as a
 * repeat would: `already-handled` after a staging, else the same outcome (Quarantine is safe to repeat).
 */
export async function ingestQueuedObjects(records: readonly QueuedObjectRecord[]): Promise<IngestExecutionState[]> {
  const named = records.map(namedObject);
  const objects = [...new Map(named.flatMap((n) => ('unreadable' in n ? [] : [[identityOf(n), n] as const]))).values()];
  const lookups = await lookUpIntakeObjects(objects.map((o) => o.key));
  const finish = new BatchFinish();
  const outcomes = new Map<string, Outcome>();
  let group: { readonly identity: string; readonly ready: ReadyToStage }[] = [];
  let groupBytes = 0;

  const stageGroup = async () => {
    const staging = group;
    group = [];
    groupBytes = 0;
    if (staging.length === 0) return;
    const claims = await intakeRepository().readClaims(staging.map(({ ready }) => ({ claim: instanceClaimOf(ready.instance) })));
    const settled = await claimSops(
      staging.map(({ ready }) => ready),
      claims,
    );
    const released: { readonly identity: string; readonly ready: ReadyToStage; readonly copy: ReleasedInstance }[] = [];
    for (const [at, { identity }] of staging.entries()) {
      const decided = settled[at]!;
      if (decided.error) {
        // Nothing of the copy was sent: its memory goes back for the next object.
        staging[at]!.ready.releaseMemory();
        outcomes.set(identity, { error: decided.error });
        continue;
      }
      if ('done' in decided.ingest) {
        outcomes.set(identity, { ingest: decided.ingest.done });
        continue;
      }
      const { ready } = decided.ingest;
      const copy = await fileErrorOr(() => releaseInstance(ready.instance, claims));
      // A failed staging (its PUT perhaps still sending) leaves the memory to the collector.
      if (copy.error) outcomes.set(identity, { error: copy.error });
      else {
        // PUT, answered and read for the staging record: the original's and the copy's memory go back for the next object.
        ready.releaseMemory();
        released.push({ identity, ready, copy: copy.ingest });
      }
    }
    // Each submission's released copies recorded in one transaction; a cancelled one (a file another attempt staged
    // first, a concurrent write) writes nothing, and its files are recorded one by one, each with its own answer.
    const recordedTogether = new Set<ReleasedInstance>();
    for (const together of chunksBySubmission(released.map((r) => r.copy))) {
      if (together.length > 1 && (await intakeRepository().recordStagedTogether(together.map((copy) => copy.staging)))) {
        for (const copy of together) recordedTogether.add(copy);
      }
    }
    for (const { identity, ready, copy } of released) {
      outcomes.set(
        identity,
        await fileErrorOr(async () => {
          const recorded = recordedTogether.has(copy) || (await recordRelease(copy));
          return stagedAnswer(ready, await finishRelease(copy, recorded, finish.later));
        }),
      );
    }
    await finish.deleteOriginals();
  };

  for (const object of objects) {
    const lookedUp = lookups.get(object.key);
    if (group.length > 0 && groupBytes + (lookedUp?.file?.declaredSize ?? 0) > STAGING_GROUP_BYTES) await stageGroup();
    const processed = await fileErrorOr(() =>
      processIntakeObject(object.bucket, object.key, { ...(lookedUp ? { lookedUp } : {}), finish: finish.later, claimSopLater: true }),
    );
    if (processed.error) outcomes.set(identityOf(object), { error: processed.error });
    else if ('done' in processed.ingest) outcomes.set(identityOf(object), { ingest: processed.ingest.done });
    else {
      group.push({ identity: identityOf(object), ready: processed.ingest.ready });
      groupBytes += processed.ingest.ready.instance.bytes.byteLength;
    }
  }
  await stageGroup();
  await finish.now();

  const answered = new Set<string>();
  return records.map((record, i) => {
    const object = named[i]!;
    if ('unreadable' in object) {
      logger.warn('a queued record names no intake object', { messageId: safeId(record.messageId), why: object.unreadable });
      return unreadableRecordItem(record, object.unreadable);
    }
    const identity = identityOf(object);
    const item: IngestExecutionState = {
      detail: { bucket: { name: object.bucket }, object: { key: object.key } },
      ...outcomes.get(identity)!,
    };
    if (!answered.has(identity)) {
      answered.add(identity);
      return item;
    }
    return repeatOf(item);
  });
}

/**
 * The SOP claims of a group's copies (processIntakeObject's `claimSopLater`), each settled as processIntakeObject
 * settles one: a copy whose UID another file holds with other bytes is held by QA, the others stay ready. The claims
 * are written together (IntakeRepository.claimSopsTogether, with each SOP's ownership entry where its study and
 * series are seen held); a claim that could not be, on its own afterwards in group order (claimSopUid, which also
 * takes a UID over from a holder that never got staged), as the per-object path makes it. Two copies of one UID in a
 * group: the first in group order claims it first, as single writes in that order would.
 */
async function claimSops(readies: readonly ReadyToStage[], seen: ClaimsSeen): Promise<Settled[]> {
  const pending = readies.flatMap((ready, at) => (ready.sopClaimPending ? [{ at, ready, sop: ready.sopClaimPending.sopClaim }] : []));
  // One claim alone gains nothing from a transaction (one request either way, at twice the write units).
  const together =
    pending.length > 1
      ? await intakeRepository().claimSopsTogether(
          pending.map(({ ready, sop }) => ({ sop, claim: instanceClaimOf(ready.instance) })),
          seen,
        )
      : pending.map(() => false);
  const claimed = new Set(pending.filter((_, i) => together[i]).map(({ at }) => at));
  const settled: Settled[] = [];
  for (const [at, ready] of readies.entries()) {
    const sop = ready.sopClaimPending?.sopClaim;
    settled.push(await fileErrorOr(async () => settleSopClaim(ready, sop && !claimed.has(at) ? await claimSopUid(sop) : undefined)));
  }
  return settled;
}

/** A copy's SOP claim settled: ready to stage, held by QA, or its file error. */
type Settled = Awaited<ReturnType<typeof fileErrorOr<ProcessedObject>>>;

/** Released copies by submission, at most STAGED_PER_TRANSACTION together. */
function chunksBySubmission(copies: readonly ReleasedInstance[]): ReleasedInstance[][] {
  const bySubmission = new Map<string, ReleasedInstance[]>();
  for (const copy of copies) {
    const same = bySubmission.get(copy.input.submissionId) ?? [];
    same.push(copy);
    bySubmission.set(copy.input.submissionId, same);
  }
  return [...bySubmission.values()].flatMap((same) => {
    const chunks: ReleasedInstance[][] = [];
    for (let start = 0; start < same.length; start += STAGED_PER_TRANSACTION)
      chunks.push(same.slice(start, start + STAGED_PER_TRANSACTION));
    return chunks;
  });
}

/** An object's answer in its item: its outcome, or its file error. */
type Outcome = Pick<IngestExecutionState, 'ingest' | 'error'>;

function identityOf({ bucket, key }: { readonly bucket: string; readonly key: string }): string {
  return `${bucket}\u0000${key}`;
}

/**
 * What follows the batch's stagings, gathered: the originals of each staging group's files go together once the group
 * is staged (ObjectStore.deleteMany: a DELETE each for a few, else one DeleteObjects), and after the batch's last group
 * each of their submissions is announced if ready, once (finishStaged's work, for many files).
 */
class BatchFinish {
  private readonly originals = new Map<string, string[]>();
  private readonly submissions = new Set<string>();

  readonly later = async (submissionId: string, intake: { readonly bucket: string; readonly key: string }): Promise<void> => {
    const keys = this.originals.get(intake.bucket) ?? [];
    keys.push(intake.key);
    this.originals.set(intake.bucket, keys);
    this.submissions.add(submissionId);
  };

  /**
   * Deletes the originals gathered so far: a group's, once it is staged, before the next group's copies are sent. In
   * the local S3 a deleted object's file is rewritten as a later PUT's (local/emulators/s3-spare-files.ts), so the
   * next group's copies go into page-cache pages already there, not new ones.
   */
  async deleteOriginals(): Promise<void> {
    const originals = [...this.originals];
    this.originals.clear();
    for (const [bucket, keys] of originals) await objectStore().deleteMany(bucket, keys);
  }

  async now(): Promise<void> {
    await this.deleteOriginals();
    for (const submissionId of this.submissions) await announceIfReady(submissionId);
  }
}

/** What `work` answers, or the file error a per-object workflow would quarantine the object with; batch failures are thrown. */
async function fileErrorOr<T>(
  work: () => Promise<T>,
): Promise<{ ingest: T; error?: undefined } | { error: NonNullable<IngestExecutionState['error']> }> {
  try {
    return { ingest: await work() };
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
