import { z } from 'zod';
import { fhirExportRequestedDetail } from './events';

/**
 * The data contract of the FHIR export workflow, one execution per "FHIR Export Requested" event on
 * the hilum bus (the execution input is that event): one task, FhirExport, which builds the job's
 * NDJSON files; Retry on transient errors, Catch -> RecordExportFailure (the same function marks
 * the job failed, so its status URL says so at once) -> Fail.
 */
export const fhirExportExecutionInput = z.object({ detail: fhirExportRequestedDetail });
export type FhirExportExecutionInput = z.infer<typeof fhirExportExecutionInput>;

export const fhirExportInput = z.object({ jobId: z.string().uuid() });
export type FhirExportInput = z.infer<typeof fhirExportInput>;

/** The Catch's `$.error` (Step Functions' Error and Cause); only its name is read. */
export const caughtError = z.object({ Error: z.string(), Cause: z.string().optional() });

/** The execution state: the event, then (after a task error is caught) the error. */
export const fhirExportExecutionState = fhirExportExecutionInput.extend({ error: caughtError.optional() });

/**
 * RecordExportFailure's input (the same function as FhirExport, told the task failed): the job and
 * the caught error's name, from which the job's value-free reason is made.
 */
export const fhirExportFailedInput = z.object({ jobId: z.string().uuid(), errorName: z.string() });
export type FhirExportFailedInput = z.infer<typeof fhirExportFailedInput>;

/** What the export function takes: a job to build, or a job whose build failed (recognised by its errorName). */
export const fhirExportTaskInput = z.union([fhirExportFailedInput.strict(), fhirExportInput.strict()]);

/** $.export: the job's outcome (`cancelled`: deleted before it finished; its files were removed). */
export const fhirExportResult = z.object({
  jobId: z.string(),
  status: z.enum(['complete', 'failed', 'cancelled']),
  files: z.number(),
  resources: z.number(),
});
export type FhirExportResult = z.infer<typeof fhirExportResult>;

/** Where the task's result lands in the execution state (`$.export`). */
export const fhirExportResults = { export: fhirExportResult } as const;
export type FhirExportResultKey = keyof typeof fhirExportResults;
