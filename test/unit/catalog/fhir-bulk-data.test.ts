import {
  bulkDataManifest,
  effectiveStatus,
  exportFailureReason,
  FHIR_EXPORT_TIMEOUT_SECONDS,
  fhirExportKey,
  fhirExportPrefix,
  kickoffQuery,
  prefersAsync,
  sinceInstant,
  statusAnswer,
  TIMED_OUT_REASON,
} from '../../../layers/catalog/fhir/bulk-data';
import { fhirExportTaskInput } from '../../../layers/pipeline/fhir-export-states';
import { fhirSchemaErrors } from '../../support/fhir-schema';

describe('FHIR Bulk Data flow records', () => {
  it('requires Prefer: respond-async, among other preferences and in any case', () => {
    expect(prefersAsync('respond-async')).toBe(true);
    expect(prefersAsync('handling=lenient, Respond-Async')).toBe(true);
    expect(prefersAsync(undefined)).toBe(false);
    expect(prefersAsync('respond-sync')).toBe(false);
  });

  it('takes _outputFormat as NDJSON only and _type as a list of the exported types, refusing others', () => {
    expect(kickoffQuery.parse({ _outputFormat: 'application/fhir+ndjson', _type: 'Patient, Condition,Patient' })).toEqual({
      _outputFormat: 'application/fhir+ndjson',
      _type: ['Patient', 'Condition'],
    });
    expect(kickoffQuery.parse({})).toEqual({});
    expect(kickoffQuery.safeParse({ _outputFormat: 'text/csv' }).success).toBe(false);
    expect(kickoffQuery.safeParse({ _type: 'Patient,Practitioner' }).success).toBe(false);
    expect(kickoffQuery.safeParse({ _elements: 'id' }).success).toBe(false);
    // An unescaped "+" read by a form decoder is a space: still the FHIR NDJSON type.
    expect(kickoffQuery.parse({ _outputFormat: 'application/fhir ndjson' })._outputFormat).toBe('application/fhir ndjson');
    expect(kickoffQuery.parse({ _since: '2026-12-01T00:00:00Z' })._since).toBe('2026-12-01T00:00:00Z');
  });

  it('reads _since as a FHIR instant in UTC, refusing a date alone, a time without its zone and a day that does not exist', () => {
    expect(sinceInstant('2026-12-01T10:30:00Z')).toBe('2026-12-01T10:30:00.000Z');
    expect(sinceInstant('2026-12-01T10:30:00.123456+02:00')).toBe('2026-12-01T08:30:00.123Z');
    expect(sinceInstant('2026-12-01T00:00:00-05:00')).toBe('2026-12-01T05:00:00.000Z');
    for (const invalid of ['2026-12-01', '2026-12-01T10:30:00', '2026-12-01T10:30Z', '2026-02-30T00:00:00Z', 'yesterday', '', '1733040000'])
      expect([invalid, sinceInstant(invalid)]).toEqual([invalid, undefined]);
  });

  it('reports a job still in progress past the timeout as failed, and a finished one as it is', () => {
    const createdAt = '2026-12-06T10:00:00.000Z';
    const at = (seconds: number) => new Date(Date.parse(createdAt) + seconds * 1000);
    expect(effectiveStatus({ status: 'in-progress', createdAt }, at(FHIR_EXPORT_TIMEOUT_SECONDS - 1))).toBe('in-progress');
    expect(effectiveStatus({ status: 'in-progress', createdAt }, at(FHIR_EXPORT_TIMEOUT_SECONDS + 1))).toBe('failed');
    expect(effectiveStatus({ status: 'complete', createdAt }, at(FHIR_EXPORT_TIMEOUT_SECONDS * 10))).toBe('complete');
  });

  it("answers a running job 202 with its progress, and a failed one the IG's error: 500 with a valid OperationOutcome", () => {
    expect(statusAnswer({ status: 'in-progress', progress: 'writing 3 patients' })).toEqual({
      statusCode: 202,
      headers: { 'x-progress': 'writing 3 patients', 'retry-after': '2' },
    });
    const failed = statusAnswer({ status: 'failed', error: exportFailureReason('InjectedFault') });
    expect(failed).toMatchObject({ statusCode: 500, headers: { 'content-type': 'application/fhir+json' } });
    const outcome = (failed as { body: { issue: { code: string; diagnostics: string }[] } }).body;
    expect(fhirSchemaErrors(outcome)).toEqual([]);
    expect(outcome.issue).toEqual([{ severity: 'error', code: 'exception', diagnostics: 'the export task failed; start a new one' }]);
    // A job that timed out without its workflow saying so has no reason of its own.
    expect(statusAnswer({ status: 'failed' })).toMatchObject({ body: { issue: [{ diagnostics: TIMED_OUT_REASON }] } });
    expect(statusAnswer({ status: 'complete' })).toBeUndefined();
  });

  it("makes a failed job's reason from the error's name only: a timeout says so, anything else is a failure", () => {
    expect(exportFailureReason('States.Timeout')).toMatch(/ran out of time/);
    expect(exportFailureReason('Sandbox.Timedout')).toMatch(/ran out of time/);
    expect(exportFailureReason('Lambda.Unknown')).toBe('the export task failed; start a new one');
    expect(exportFailureReason('ResourceNotFoundException')).not.toContain('ResourceNotFound');
  });

  it("tells the export task's two inputs apart: a job to build, and a job whose build failed", () => {
    const jobId = '6f1c2b1e-8a51-4a86-9a51-0f5b8f3c2d10';
    expect(fhirExportTaskInput.parse({ jobId })).toEqual({ jobId });
    expect(fhirExportTaskInput.parse({ jobId, errorName: 'States.Timeout' })).toEqual({ jobId, errorName: 'States.Timeout' });
    expect(fhirExportTaskInput.safeParse({ jobId, errorName: 1 }).success).toBe(false);
    expect(fhirExportTaskInput.safeParse({ jobId: 'not-a-job' }).success).toBe(false);
  });

  it("answers the IG's manifest: transaction time, request, no token needed, one output per file in order, no errors", () => {
    const output = [
      { type: 'Patient' as const, key: fhirExportKey('j', 'Patient'), count: 2, bytes: 10 },
      { type: 'Condition' as const, key: fhirExportKey('j', 'Condition'), count: 3, bytes: 20 },
    ];
    const manifest = bulkDataManifest(
      { request: 'https://api/fhir/$export', transactionTime: '2026-12-06T10:01:00.000Z', createdAt: '2026-12-06T10:00:00.000Z', output },
      (f) => `https://s3/${f.key}?signed`,
    );
    expect(manifest).toEqual({
      transactionTime: '2026-12-06T10:01:00.000Z',
      request: 'https://api/fhir/$export',
      requiresAccessToken: false,
      output: [
        { type: 'Patient', url: 'https://s3/fhir-export/j/Patient.ndjson?signed', count: 2 },
        { type: 'Condition', url: 'https://s3/fhir-export/j/Condition.ndjson?signed', count: 3 },
      ],
      error: [],
    });
    expect(fhirExportKey('j', 'Patient').startsWith(fhirExportPrefix('j'))).toBe(true);
  });
});
