import { z } from 'zod';
import { bulkDataManifest, statusAnswer, type FhirExportFile } from '../../layers/catalog/fhir/bulk-data';
import { httpHandler, type HttpResponse } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { deleteFhirExport, fhirExportJobFor } from '../../layers/services/fhir-export';
import { presignDownload } from '../../layers/services/presign-download';

/**
 * The FHIR Bulk Data status URL (docs/fhir.md): `GET /fhir/export-jobs/{jobId}` answers 202 with
 * X-Progress while the files are built, then 200 with the manifest (each file a presigned URL,
 * fresh on every call, so `requiresAccessToken` is false), or 500 with an OperationOutcome if the job
 * failed; `DELETE` cancels the job or deletes a finished one with its files (202). The owner's jobs
 * only (curators: all); another's is not found. Refusals are OperationOutcomes too.
 */
export const handler = httpHandler(
  { errorShape: 'fhir', path: z.object({ jobId: z.string().uuid() }) },
  async function fhirExportStatus({ caller, access, audit, path, event }): Promise<HttpResponse> {
    if (event.httpMethod === 'DELETE') {
      const job = await deleteFhirExport(caller, access.level, path.jobId);
      audit.record({ action: 'fhir-export.deleted', targetType: 'fhir-export', targetId: job.jobId, details: { status: job.status } });
      logger.info('fhir export deleted', { jobId: job.jobId });
      return { statusCode: 202, body: undefined, text: '' };
    }
    const job = await fhirExportJobFor(caller, access.level, path.jobId);
    audit.resource('fhir-export', job.jobId);
    const unfinished = statusAnswer(job);
    if (unfinished?.statusCode === 202) return { ...unfinished, body: undefined, text: '' };
    if (unfinished) return unfinished;
    const urls = new Map<FhirExportFile, string>();
    let ttlSeconds = 0;
    for (const file of job.output ?? []) {
      const signed = await presignDownload({
        objectKey: file.key,
        size: file.bytes,
        fileName: `${file.type}.ndjson`,
        contentType: 'application/fhir+ndjson',
      });
      urls.set(file, signed.url);
      ttlSeconds = signed.ttlSeconds;
    }
    const manifest = bulkDataManifest(job, (file) => urls.get(file)!);
    audit.record({
      action: 'fhir-export.served',
      targetType: 'fhir-export',
      targetId: job.jobId,
      details: { files: manifest.output.length, resources: manifest.output.reduce((n, o) => n + o.count, 0), ttlSeconds },
    });
    logger.info('fhir export manifest issued', { jobId: job.jobId, files: manifest.output.length });
    return { statusCode: 200, body: manifest, headers: { expires: new Date(Date.now() + ttlSeconds * 1000).toUTCString() } };
  },
);
