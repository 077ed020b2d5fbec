import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { fhirExportInput, type FhirExportResult } from '../../layers/pipeline/fhir-export-states';
import { runFhirExport } from '../../layers/services/fhir-export';

/**
 * The FHIR export workflow's task: builds a Bulk Data export job's NDJSON files (one per resource
 * type) from what the job's owner may download, and marks the job complete. Idempotent: the files'
 * keys are the job's, and a job already finished or deleted is left as it is.
 */
export const handler = taskHandler(fhirExportInput, async function buildFhirExport({ jobId }): Promise<FhirExportResult> {
  const started = Date.now();
  const outcome = await runFhirExport(jobId);
  logger.info('fhir export built', { jobId, ...outcome, ms: Date.now() - started });
  return { jobId, ...outcome };
});
