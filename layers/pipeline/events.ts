import { z } from 'zod';

/**
 * The events hilum puts on its own bus: their source, detail types and detail shapes.
 * Rules in infra/ route them to the workflows; layers/adapters/aws/events.ts sends them.
 */
export const PIPELINE_EVENT_SOURCE = 'hilum.pipeline';

/**
 * A sealed submission whose files all have an outcome; starts the submission workflow. Rules route it by
 * its detail (infra/constructs/pipeline.ts): a submission of a few files to the Express workflow, a large
 * one, or one the reconciler announces again (its workflow did not finish), to the Standard one.
 */
export const SUBMISSION_READY = 'Submission Ready';
export const submissionReadyDetail = z.object({
  submissionId: z.string().min(1),
  /** How many files the submission announced (its size, for the rules' numeric match). */
  fileCount: z.number().int().nonnegative(),
  /** Announced again by the reconciler: an earlier announcement brought no finished workflow. */
  redrive: z.boolean(),
});
export type SubmissionReadyDetail = z.infer<typeof submissionReadyDetail>;

/**
 * An intake object's "Object Created" sent again by the reconciler (functions/qa/reconcile.ts) on the
 * hilum bus: EventBridge refuses `aws.*` sources from PutEvents, so the redrive comes from hilum's
 * source, with the detail S3 sends (bucket name, object key and size), and its own rule starts ingest.
 */
export const INTAKE_REDRIVE = 'Object Created';
export interface IntakeRedriveDetail {
  readonly version: '0';
  readonly bucket: { readonly name: string };
  readonly object: { readonly key: string; readonly size: number };
  readonly reason: 'Redrive';
}

/** The detail of a redriven intake object, in the shape S3's own "Object Created" has. */
export function intakeRedriveDetail(bucket: string, object: { readonly key: string; readonly size: number }): IntakeRedriveDetail {
  return { version: '0', bucket: { name: bucket }, object: { key: object.key, size: object.size }, reason: 'Redrive' };
}

/** A FHIR Bulk Data export was kicked off (GET .../$export); starts the export workflow, which writes its files. */
export const FHIR_EXPORT_REQUESTED = 'FHIR Export Requested';
export const fhirExportRequestedDetail = z.object({ jobId: z.string().uuid() });
export type FhirExportRequestedDetail = z.infer<typeof fhirExportRequestedDetail>;
