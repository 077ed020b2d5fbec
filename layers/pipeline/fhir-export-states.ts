import { z } from 'zod';
import { fhirExportRequestedDetail } from './events';

/**
 * The data contract of the FHIR export workflow, one execution per "FHIR Export Requested" event on
 * the hilum bus (the execution input is that event): one task, FhirExport, which builds the job's
 * NDJSON files; Retry on transient errors, Catch -> Fail (the job's status then reports it failed).
 */
export const fhirExportExecutionInput = z.object({ detail: fhirExportRequestedDetail });
export type FhirExportExecutionInput = z.infer<typeof fhirExportExecutionInput>;

export const fhirExportInput = z.object({ jobId: z.string().uuid() });
export type FhirExportInput = z.infer<typeof fhirExportInput>;

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
