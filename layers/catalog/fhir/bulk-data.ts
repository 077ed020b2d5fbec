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
  /** `_since` as an ISO instant in UTC: only resources changed after it (docs/fhir.md, "_since"). */
  readonly since?: string;
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

/**
 * The NDJSON media types the kick-off accepts as `_outputFormat`: the IG's three spellings, and the
 * first with its `+` read as a space, as a form-decoded query reads an unescaped `application/fhir+ndjson`.
 */
export const NDJSON_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson', 'application/fhir ndjson'] as const;

/**
 * The kick-off's query: `_outputFormat` (NDJSON only), `_type` (a comma-separated list of the types
 * the export writes) and `_since` (a FHIR instant, checked by `sinceInstant`, whose refusal the IG
 * wants as an OperationOutcome).
 */
export const kickoffQuery = z
  .object({
    _outputFormat: z.enum(NDJSON_FORMATS).optional(),
    _since: z.string().optional(),
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

/** FHIR's `instant`: a time to the second at least, with its zone (Z or an offset). */
const FHIR_INSTANT =
  /^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;

/**
 * `_since` as an ISO instant in UTC, or undefined when it is not a FHIR instant (a date alone, no
 * zone, a day that does not exist): the kick-off then answers 400 with an OperationOutcome.
 */
export function sinceInstant(raw: string): string | undefined {
  const m = FHIR_INSTANT.exec(raw.trim());
  if (!m) return undefined;
  const ms = Date.parse(raw.trim());
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2026-02-30 over to March: a day the month does not have is refused.
  const [, year, month, day] = m;
  if (new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).getUTCDate() !== Number(day)) return undefined;
  return new Date(ms).toISOString();
}

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
export function operationOutcome(code: 'exception' | 'not-found' | 'processing' | 'invalid', diagnostics: string): object {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}

/** What the status URL answers a job not yet complete (the IG's "Status Request"); undefined: complete, answer the manifest. */
export type StatusAnswer =
  | { readonly statusCode: 202; readonly headers: Readonly<Record<string, string>> }
  | { readonly statusCode: 500; readonly body: object; readonly headers: Readonly<Record<string, string>> };

/** Why a job that stayed in progress past its timeout failed (its workflow never said). */
export const TIMED_OUT_REASON = 'the export did not finish within its time; start a new one';

/**
 * In progress: 202 with X-Progress and Retry-After. Failed: 500 with an OperationOutcome (issue
 * code `exception`) whose diagnostics are the job's value-free reason.
 */
export function statusAnswer(
  job: Pick<FhirExportJob, 'progress' | 'error'> & { readonly status: FhirExportStatus },
): StatusAnswer | undefined {
  if (job.status === 'in-progress')
    return { statusCode: 202, headers: { 'x-progress': job.progress ?? 'in progress', 'retry-after': '2' } };
  if (job.status === 'failed')
    return {
      statusCode: 500,
      body: operationOutcome('exception', job.error ?? TIMED_OUT_REASON),
      headers: { 'content-type': 'application/fhir+json' },
    };
  return undefined;
}

/**
 * The value-free reason a job records when its workflow's task failed for good, from the error's
 * name only (Step Functions' `Error`; its `Cause` may quote anything and is never read).
 */
export function exportFailureReason(errorName: string): string {
  return /timeout|timedout/i.test(errorName)
    ? 'the export task ran out of time; start a new one, perhaps of fewer types (_type) or changes (_since)'
    : 'the export task failed; start a new one';
}
