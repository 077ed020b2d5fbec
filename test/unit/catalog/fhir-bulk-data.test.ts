import {
  bulkDataManifest,
  effectiveStatus,
  FHIR_EXPORT_TIMEOUT_SECONDS,
  fhirExportKey,
  fhirExportPrefix,
  kickoffQuery,
  prefersAsync,
} from '../../../layers/catalog/fhir/bulk-data';

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
    expect(kickoffQuery.safeParse({ _since: '2020-01-01' }).success).toBe(false);
  });

  it('reports a job still in progress past the timeout as failed, and a finished one as it is', () => {
    const createdAt = '2026-12-06T10:00:00.000Z';
    const at = (seconds: number) => new Date(Date.parse(createdAt) + seconds * 1000);
    expect(effectiveStatus({ status: 'in-progress', createdAt }, at(FHIR_EXPORT_TIMEOUT_SECONDS - 1))).toBe('in-progress');
    expect(effectiveStatus({ status: 'in-progress', createdAt }, at(FHIR_EXPORT_TIMEOUT_SECONDS + 1))).toBe('failed');
    expect(effectiveStatus({ status: 'complete', createdAt }, at(FHIR_EXPORT_TIMEOUT_SECONDS * 10))).toBe('complete');
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
