import { z } from 'zod';
import { kickoffQuery, prefersAsync, sinceInstant } from '../../layers/catalog/fhir/bulk-data';
import { BadRequest, NotFound } from '../../layers/common/errors';
import { httpHandler, type HttpResponse } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { apiBaseUrl, headerOf } from '../../layers/services/api-base-url';
import { releaseRepository } from '../../layers/services/commons-context';
import { startFhirExport } from '../../layers/services/fhir-export-kickoff';

/**
 * The FHIR Bulk Data kick-off (docs/fhir.md): `GET /fhir/Group/{cohortId}/$export` exports a cohort
 * (its studies the caller may download, their cases and clinical records), `GET /fhir/$export` a
 * whole release for curators (`release`, default the latest). `Prefer: respond-async` is required;
 * `_outputFormat` (NDJSON), `_type` and `_since` (a FHIR instant) are honoured; every refusal is
 * an OperationOutcome (errorShape `fhir`), as the IG asks. Answers 202 with the status URL in Content-Location; the
 * files are built by the export workflow.
 */
export const handler = httpHandler(
  {
    // Every refusal is an OperationOutcome, as the IG asks of a kick-off's errors.
    errorShape: 'fhir',
    path: z.object({ cohortId: z.string().uuid().optional() }),
    query: kickoffQuery.extend({ release: z.coerce.number().int().positive().optional() }).strict(),
  },
  async function kickOffFhirExport({ caller, access, audit, path, query, event }): Promise<HttpResponse> {
    if (!prefersAsync(headerOf(event, 'prefer'))) throw new BadRequest('a Bulk Data kick-off needs the header Prefer: respond-async');
    const since = query._since === undefined ? undefined : sinceInstant(query._since);
    if (query._since !== undefined && since === undefined)
      throw new BadRequest('_since must be a FHIR instant with its time zone, e.g. 2026-12-01T00:00:00Z');
    let subject: { kind: 'cohort'; cohortId: string } | { kind: 'release'; releaseNumber: number };
    if (path.cohortId) {
      if (query.release !== undefined) throw new BadRequest("a cohort's export is of its own release: release is not a parameter here");
      subject = { kind: 'cohort', cohortId: path.cohortId };
    } else {
      const releaseNumber = query.release ?? (await releaseRepository().latestRelease())?.releaseNumber;
      if (releaseNumber === undefined) throw new NotFound('no release has been cut');
      subject = { kind: 'release', releaseNumber };
    }
    const base = apiBaseUrl(event);
    const search = new URLSearchParams(
      Object.entries(event.queryStringParameters ?? {}).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, v]])),
    );
    const request = `${base}${event.path}${search.size ? `?${search.toString()}` : ''}`;
    const job = await startFhirExport(caller, access.level, {
      subject,
      request,
      apiBaseUrl: base,
      ...(query._type ? { types: query._type } : {}),
      ...(since ? { since } : {}),
    });
    if (subject.kind === 'cohort') audit.resource('cohort', subject.cohortId);
    else audit.resource('release', String(subject.releaseNumber));
    audit.record({
      action: 'fhir-export.requested',
      targetType: 'fhir-export',
      targetId: job.jobId,
      details: { ...subject, types: query._type?.join(',') ?? 'all', ...(since ? { since } : {}) },
    });
    logger.info('fhir export requested', { jobId: job.jobId, kind: subject.kind });
    return {
      statusCode: 202,
      body: undefined,
      text: '',
      headers: { 'content-location': `${base}/fhir/export-jobs/${job.jobId}` },
    };
  },
);
