import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { fhirExportTaskInput, type FhirExportResult } from '../../layers/pipeline/fhir-export-states';
import { recordFhirExportFailure, runFhirExport } from '../../layers/services/fhir-export';

/**
 * The FHIR export workflow's task: builds a Bulk Data export job's NDJSON files (one per resource
 * type) from what the job's owner may download, and marks the job complete. Idempotent: the files'
 * keys are the job's, and a job already finished or deleted is left as it is. Called again by the
 * workflow's Catch with the error's name (RecordExportFailure), it marks the job failed instead.
 */
export const handler = taskHandler(fhirExportTaskInput, async function buildFhirExport(input): Promise<FhirExportResult> {
  const started = Date.now();
  if ('errorName' in input) {
    const outcome = await recordFhirExportFailure(input.jobId, input.errorName);
    logger.warn('fhir export failed', { jobId: input.jobId, error: input.errorName, ...outcome });
    return { jobId: input.jobId, ...outcome };
  }
  const outcome = await runFhirExport(input.jobId);
  logger.info('fhir export built', { jobId: input.jobId, ...outcome, ms: Date.now() - started });
  return { jobId: input.jobId, ...outcome };
});
