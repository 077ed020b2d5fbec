/**
 * The FHIR Bulk Data Access flow's records and answers (https://hl7.org/fhir/uv/bulkdata/), pure:
 * the export job the kick-off records, the keys of its NDJSON files in the released bucket, the
 * kick-off's parameters, and the completion manifest the status URL answers.
 */
import { z } from 'zod';
import { FHIR_RESOURCE_TYPES, type FhirResourceType } from './resources';

/** What is exported: a cohort (its studies the caller may download), or a whole release (curators). */
export type FhirExportSubject =
  { readonly kind: 'cohort'; readonly cohortId: string } | { readonly kind: 'release'; readonly releaseNumber: number };

export type FhirExportStatus = 'in-progress' | 'complete' | 'failed';

export interface FhirExportFile {
  readonly type: FhirResourceType;
  readonly key: string;
  readonly count: number;
  readonly bytes: number;
}

export interface FhirExportJob {
  readonly jobId: string;
  /** The caller who asked, as the access decisions need them (re-decided when the files are built). */
  readonly owner: string;
  readonly ownerName: string;
  readonly ownerGroups: readonly string[];
  /** The route's matrix cell for the caller at kick-off (`own` or `all`). */
  readonly level: 'all' | 'own' | 'data';
  readonly subject: FhirExportSubject;
  /** The kick-off request's URL, as the manifest repeats it. */
  readonly request: string;
  /** The API's public base URL, for the studies' DICOMweb endpoints. */
  readonly apiBaseUrl: string;
  /** The resource types asked for (`_type`); all when absent. */
  readonly types?: readonly FhirResourceType[];
  readonly status: FhirExportStatus;
  /** Where the work is, for X-Progress (no value of the data: a phase and counts). */
  readonly progress?: string;
  /** The time the data was read (the manifest's transactionTime). */
  readonly transactionTime?: string;
  readonly output?: readonly FhirExportFile[];
  /** A value-free reason, when failed. */
  readonly error?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** How long a job may stay in progress before its status says it failed (the export workflow's own timeout). */
export const FHIR_EXPORT_TIMEOUT_SECONDS = 3600;

/** The released-bucket prefix of a job's files, and the key of one type's file. */
export const fhirExportPrefix = (jobId: string) => `fhir-export/${jobId}/`;
export const fhirExportKey = (jobId: string, type: FhirResourceType) => `${fhirExportPrefix(jobId)}${type}.ndjson`;

/** The NDJSON media types the kick-off accepts as `_outputFormat` (the IG's three spellings). */
export const NDJSON_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'] as const;

/** The kick-off's query: `_outputFormat` (NDJSON only) and `_type` (a comma-separated list of the types the export writes). */
export const kickoffQuery = z
  .object({
    _outputFormat: z.enum(NDJSON_FORMATS).optional(),
    _type: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (s === undefined) return undefined;
        const types = [...new Set(s.split(',').map((t) => t.trim()))];
        const unknown = types.filter((t) => !(FHIR_RESOURCE_TYPES as readonly string[]).includes(t));
        if (unknown.length) {
          ctx.addIssue({ code: 'custom', message: `_type may name only ${FHIR_RESOURCE_TYPES.join(', ')}` });
          return z.NEVER;
        }
        return types as FhirResourceType[];
      }),
  })
  .strict();

/** The IG asks for `Prefer: respond-async` on every kick-off; a request without it is refused. */
export function prefersAsync(prefer: string | undefined): boolean {
  return (prefer ?? '')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .includes('respond-async');
}

/** A job still in progress past the timeout died without saying so: its status is failed. */
export function effectiveStatus(job: Pick<FhirExportJob, 'status' | 'createdAt'>, now: Date): FhirExportStatus {
  if (job.status !== 'in-progress') return job.status;
  return now.getTime() - Date.parse(job.createdAt) > FHIR_EXPORT_TIMEOUT_SECONDS * 1000 ? 'failed' : 'in-progress';
}

export interface BulkDataManifest {
  readonly transactionTime: string;
  readonly request: string;
  readonly requiresAccessToken: false;
  readonly output: readonly { readonly type: string; readonly url: string; readonly count: number }[];
  readonly error: readonly { readonly type: string; readonly url: string }[];
}

/**
 * The completion manifest: one output entry per file with its presigned URL (so no access token is
 * needed to fetch it: `requiresAccessToken` is false), in the order of the resource types.
 */
export function bulkDataManifest(
  job: Pick<FhirExportJob, 'request' | 'transactionTime' | 'createdAt' | 'output'>,
  urlOf: (file: FhirExportFile) => string,
): BulkDataManifest {
  return {
    transactionTime: job.transactionTime ?? job.createdAt,
    request: job.request,
    requiresAccessToken: false,
    output: (job.output ?? []).map((f) => ({ type: f.type, url: urlOf(f), count: f.count })),
    error: [],
  };
}

/** An OperationOutcome with one issue (the body of a failed job's status, as the IG asks). */
export function operationOutcome(code: 'exception' | 'not-found' | 'processing', diagnostics: string): object {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}
