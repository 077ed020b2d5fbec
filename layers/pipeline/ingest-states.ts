import { z } from 'zod';
import { PIXEL_REVIEW_REASONS } from '../dicom';

/**
 * The data contract of every state of the ingest workflow, one execution per S3 "Object Created"
 * event on `intake/`:
 *   IngestObject -> Outcome? -> Staged | SkipAlreadyHandled | QuarantineForQa
 *   IngestObject reads the object once and parses, de-identifies, verifies, decides QA and stages
 *   in memory (functions/ingest/ingest-object.ts); Retry on transient errors, Catch -> Quarantine
 *   (task-errors.ts says which errors go where)
 * Each schema is written once: the handler parses its input with it, workflows/ingest.ts builds
 * the ASL payload from its keys, and each task's result (its `Payload`) is stored in the execution
 * state under the key `ingestResults` names (`$.ingest`, `$.quarantine`).
 * Step Functions carries no PHI: only keys, pseudonymous (remapped) UIDs, counts and rule ids.
 */

const name = z.string().min(1);

/** The EventBridge "Object Created" event (from S3, or hilum's redrive), the execution input: what the states read of it. */
export const objectCreatedEvent = z.object({
  detail: z.object({ bucket: z.object({ name }), object: z.object({ key: name }) }),
});

/** The one processing task's input (IngestObject): the intake object the event names. */
export const ingestObjectInput = z.object({ bucket: name, key: name });
export type IngestObjectInput = z.infer<typeof ingestObjectInput>;

export const deidentifyOutcome = z.enum(['ok', 'needs-pixel-review']);
export type DeidentifyOutcome = z.infer<typeof deidentifyOutcome>;
/** What triggered needs-pixel-review: codes the QA rule deid.pixel-review reports as they are. */
export const pixelReviewReasons = z.array(z.enum(PIXEL_REVIEW_REASONS));
/** A box in the original image's pixels where OCR found identifying text, with the token classes it read (never the text). */
export const textRegion = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number(),
  height: z.number(),
  classes: z.array(z.enum(['known-identifier', 'date', 'name-like', 'id-like'])),
});
export type TextRegionState = z.infer<typeof textRegion>;
/** $.ingest.deid: what de-identification decided (the copy itself stayed in the task's memory). */
export const deidentifyResult = z.object({
  studyUid: z.string(),
  seriesUid: z.string(),
  sopUid: z.string(),
  outcome: deidentifyOutcome,
  pixelReview: pixelReviewReasons,
  /** Where the burned-in text check found identifying text (absent when it found none or did not run). */
  textRegions: z.array(textRegion).optional(),
  /** Counts per `keyword:action`, never values. */
  actionCounts: z.record(z.string(), z.number()),
  /** Clean Pixel Data blanked the image's tabled layout and OCR found no identifying text outside it (QA's deid.pixel-review reads it). */
  pixelsCleared: z.boolean(),
});
export type DeidentifyResult = z.infer<typeof deidentifyResult>;

export const qaFinding = z.object({ ruleId: z.string(), severity: z.enum(['warn', 'quarantine']), message: z.string() });
export type QaFinding = z.infer<typeof qaFinding>;
/** $.ingest.qa: the instance rules' decision, after the SOP UID claim. */
export const qaResult = z.object({ outcome: z.enum(['pass', 'warn', 'quarantine']), findings: z.array(qaFinding) });
export type QaResult = z.infer<typeof qaResult>;

/** $.ingest.stage */
export const stageResult = z.object({ releasedKey: z.string(), sha256: z.string(), size: z.number() });
export type StageResult = z.infer<typeof stageResult>;

/**
 * $.ingest: what IngestObject did with the object, which the workflow routes on:
 * - `staged`: verified, QA passed (or warned), released copy stored and recorded, original deleted;
 * - `quarantine`: QA (or the SOP claim) held it: Quarantine moves the original with the findings;
 * - `already-handled`: an earlier delivery of the same event staged or quarantined the file.
 * A file error (unreadable, verification failed, ownership conflict, ...) is thrown instead, as before.
 */
export const ingestObjectResult = z.object({
  outcome: z.enum(['staged', 'quarantine', 'already-handled']),
  submissionId: z.string(),
  fileId: z.string(),
  deid: deidentifyResult.optional(),
  qa: qaResult.optional(),
  stage: stageResult.optional(),
});
export type IngestObjectResult = z.infer<typeof ingestObjectResult>;

export const quarantineResult = z.object({ quarantineKey: z.string(), reason: z.string() });
export type QuarantineResult = z.infer<typeof quarantineResult>;

/** Where each task's result lands in the execution state (`$.<key>`). */
export const ingestResults = {
  ingest: ingestObjectResult,
  quarantine: quarantineResult,
} as const;
export type IngestResultKey = keyof typeof ingestResults;

/** A task error a Catch put at `$.error`: Step Functions' `{Error, Cause}` (Cause is Lambda's JSON or a plain string). */
export const caughtError = z.object({ Error: z.string(), Cause: z.string().nullish() });

/**
 * The execution state as the workflow builds it: the original event, whatever results exist, and
 * `$.error` once a Catch caught one. Quarantine receives all of it (a caught error at `$.error`, or
 * `$.ingest` with outcome `quarantine`); other fields of the event pass through.
 */
export const ingestExecutionState = objectCreatedEvent
  .extend({
    ingest: ingestObjectResult.optional(),
    error: caughtError.optional(),
  })
  .passthrough();
export type IngestExecutionState = z.infer<typeof ingestExecutionState>;

export const quarantineInput = ingestExecutionState;

/** The most intake objects one IngestBatch invocation takes (an SQS batch as an EventBridge Pipe delivers it). */
export const INGEST_BATCH_MAX_OBJECTS = 10;

/** One SQS message as an EventBridge Pipe hands it on: its body is the JSON of an "Object Created" event. */
export const queuedObjectRecord = z.object({ messageId: name, body: z.string() }).passthrough();
export type QueuedObjectRecord = z.infer<typeof queuedObjectRecord>;

/** IngestBatch's input: the records of one queue batch, in the order the pipe delivered them. */
export const ingestBatchInput = z.object({ records: z.array(queuedObjectRecord).min(1).max(INGEST_BATCH_MAX_OBJECTS) });
export type IngestBatchInput = z.infer<typeof ingestBatchInput>;

/**
 * IngestBatch's answer: one item per record, in record order, each the execution state a per-object
 * execution would hand Quarantine: `ingest` as IngestObject answers it, or `error` as a Catch would put a
 * file error of IngestObject (`{Error, Cause}`, Cause Lambda's JSON). Platform, transient and resource-limit
 * errors are never items: they fail the whole invocation.
 */
export const ingestBatchResult = z.object({ items: z.array(ingestExecutionState) });
export type IngestBatchResult = z.infer<typeof ingestBatchResult>;
export type QuarantineInput = IngestExecutionState;
