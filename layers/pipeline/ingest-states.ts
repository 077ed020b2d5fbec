import { z } from 'zod';
import { PIXEL_REVIEW_REASONS } from '../dicom';

/**
 * The data contract of every state of the ingest workflow, one execution per S3 "Object Created"
 * event on `intake/`:
 *   Parse -> AlreadyHandled? -> Deidentify -> Verify -> Qa -> QaOutcome? -> Stage
 *   every task: Retry on transient errors, Catch -> Quarantine (task-errors.ts says which errors go where)
 * Each schema is written once: the handler parses its input with it, workflows/ingest.ts builds
 * the ASL payload from its keys, and each task's result (its `Payload`) is stored in the execution
 * state under the key `ingestResults` names (`$.parse`, `$.deid`, ...).
 * Step Functions carries no PHI: only keys, pseudonymous (remapped) UIDs, counts and rule ids.
 */

const name = z.string().min(1);
const id = z.string().uuid();

/** The EventBridge "Object Created" event (from S3, or hilum's redrive), the execution input: what the states read of it. */
export const objectCreatedEvent = z.object({
  detail: z.object({ bucket: z.object({ name }), object: z.object({ key: name }) }),
});

export const parseInput = z.object({ bucket: name, key: name });
export type ParseInput = z.infer<typeof parseInput>;
/** $.parse */
export const parseResult = z.object({
  submissionId: z.string(),
  fileId: z.string(),
  /** True when an earlier delivery of the same event already staged or quarantined this file. */
  alreadyHandled: z.boolean(),
  bytes: z.number(),
  transferSyntaxUid: z.string().optional(),
  modality: z.string().optional(),
  sopClassUid: z.string().optional(),
});
export type ParseResult = z.infer<typeof parseResult>;

export const deidentifyInput = z.object({ bucket: name, key: name, submissionId: id, fileId: id });
export type DeidentifyInput = z.infer<typeof deidentifyInput>;
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
/** $.deid */
export const deidentifyResult = z.object({
  /** Key of the de-identified (not yet verified) copy, in the intake bucket under `work/`. */
  workKey: z.string(),
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

export const verifyInput = z.object({ bucket: name, originalKey: name, workKey: name });
export type VerifyInput = z.infer<typeof verifyInput>;
/** $.verify (a failed verification throws `VerificationFailed` instead) */
export const verifyResult = z.object({ passed: z.literal(true), checks: z.number() });
export type VerifyResult = z.infer<typeof verifyResult>;

export const qaInput = z.object({
  bucket: name,
  workKey: name,
  deidOutcome: deidentifyOutcome,
  /** Absent only in an execution whose Deidentify ran before the triggers were recorded. */
  pixelReview: pixelReviewReasons.optional(),
  /** Absent in an execution whose Deidentify ran before Clean Pixel Data was applied. */
  pixelsCleared: z.boolean().optional(),
  /** QA reads the project's configuration and records its findings per file. */
  submissionId: id,
  fileId: id,
});
export type QaInput = z.infer<typeof qaInput>;
export const qaFinding = z.object({ ruleId: z.string(), severity: z.enum(['warn', 'quarantine']), message: z.string() });
export type QaFinding = z.infer<typeof qaFinding>;
/** $.qa */
export const qaResult = z.object({ outcome: z.enum(['pass', 'warn', 'quarantine']), findings: z.array(qaFinding) });
export type QaResult = z.infer<typeof qaResult>;

export const stageInput = z.object({
  bucket: name,
  originalKey: name,
  workKey: name,
  submissionId: id,
  fileId: id,
  studyUid: name,
  seriesUid: name,
  sopUid: name,
  findings: z.array(qaFinding),
});
export type StageInput = z.infer<typeof stageInput>;
/** $.stage */
export const stageResult = z.object({ releasedKey: z.string(), sha256: z.string(), size: z.number() });
export type StageResult = z.infer<typeof stageResult>;

export const quarantineResult = z.object({ quarantineKey: z.string(), reason: z.string() });
export type QuarantineResult = z.infer<typeof quarantineResult>;

/** Where each task's result lands in the execution state (`$.<key>`). */
export const ingestResults = {
  parse: parseResult,
  deid: deidentifyResult,
  verify: verifyResult,
  qa: qaResult,
  stage: stageResult,
  quarantine: quarantineResult,
} as const;
export type IngestResultKey = keyof typeof ingestResults;

/** A task error a Catch put at `$.error`: Step Functions' `{Error, Cause}` (Cause is Lambda's JSON or a plain string). */
export const caughtError = z.object({ Error: z.string(), Cause: z.string().nullish() });

/**
 * The execution state as the workflow builds it: the original event, whatever results exist, and
 * `$.error` once a Catch caught one. Quarantine receives all of it (a caught error at `$.error`, or
 * `$.qa` with outcome `quarantine`); other fields of the event pass through.
 */
export const ingestExecutionState = objectCreatedEvent
  .extend({
    parse: parseResult.optional(),
    deid: deidentifyResult.optional(),
    verify: verifyResult.optional(),
    qa: qaResult.optional(),
    stage: stageResult.optional(),
    error: caughtError.optional(),
  })
  .passthrough();
export type IngestExecutionState = z.infer<typeof ingestExecutionState>;

export const quarantineInput = ingestExecutionState;
export type QuarantineInput = IngestExecutionState;
