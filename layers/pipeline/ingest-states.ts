/**
 * The data contracts between the states of the two workflows. Step Functions
 * carries no PHI: only keys, pseudonymous (remapped) UIDs, counts and rule ids.
 *
 * Ingest workflow (one execution per S3 "Object Created" event on `intake/`):
 *   Parse -> AlreadyHandled? -> Deidentify -> Verify -> Qa -> QaOutcome? -> Stage
 *   every task: Retry on transient errors, Catch States.ALL -> Quarantine
 * The execution input is the EventBridge S3 event; each task's Lambda result
 * (its `Payload`) is stored under the key named below (`$.parse`, `$.deid`, ...).
 */

/** EventBridge "Object Created" event from S3, the ingest execution input. */
export interface S3ObjectCreatedEvent {
  readonly 'detail-type': 'Object Created';
  readonly source: 'aws.s3';
  readonly detail: {
    readonly bucket: { readonly name: string };
    readonly object: { readonly key: string; readonly size?: number; readonly etag?: string };
  };
}

export interface ObjectRef { readonly bucket: string; readonly key: string }

/** $.parse */
export interface ParseResult {
  readonly submissionId: string;
  readonly fileId: string;
  /** True when an earlier delivery of the same event already staged or quarantined this file. */
  readonly alreadyHandled: boolean;
  readonly bytes: number;
  readonly transferSyntaxUid?: string;
  readonly modality?: string;
  readonly sopClassUid?: string;
}

export interface DeidentifyInput extends ObjectRef { readonly submissionId: string; readonly fileId: string }
/** $.deid */
export interface DeidentifyResult {
  /** Key of the de-identified (not yet verified) copy, in the intake bucket under `work/`. */
  readonly workKey: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
  readonly outcome: 'ok' | 'needs-pixel-review';
  /** Counts per `keyword:action`, never values. */
  readonly actionCounts: Readonly<Record<string, number>>;
}

export interface VerifyInput { readonly bucket: string; readonly originalKey: string; readonly workKey: string }
/** $.verify (a failed verification throws `VerificationFailed` instead) */
export interface VerifyResult { readonly passed: true; readonly checks: number }

export interface QaInput {
  readonly bucket: string;
  readonly workKey: string;
  readonly deidOutcome: DeidentifyResult['outcome'];
  /** QA reads the project's configuration and records its findings per file. */
  readonly submissionId: string;
  readonly fileId: string;
}
export interface QaFinding { readonly ruleId: string; readonly severity: 'warn' | 'quarantine'; readonly message: string }
/** $.qa */
export interface QaResult { readonly outcome: 'pass' | 'warn' | 'quarantine'; readonly findings: readonly QaFinding[] }

export interface StageInput {
  readonly bucket: string;
  readonly originalKey: string;
  readonly workKey: string;
  readonly submissionId: string;
  readonly fileId: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
  readonly findings: readonly QaFinding[];
}
/** $.stage */
export interface StageResult { readonly releasedKey: string; readonly sha256: string; readonly size: number }

/**
 * Quarantine receives the whole execution state: the original event, whatever
 * results exist, and either `$.error` (a caught error: `{Error, Cause}`) or `$.qa`
 * with outcome `quarantine`.
 */
export interface QuarantineInput extends Partial<S3ObjectCreatedEvent> {
  readonly parse?: ParseResult;
  readonly deid?: DeidentifyResult;
  readonly qa?: QaResult;
  readonly error?: { readonly Error: string; readonly Cause?: string };
}
export interface QuarantineResult { readonly quarantineKey: string; readonly reason: string }

/**
 * Submission workflow (one execution per "Submission Ready" event on the hilum bus):
 *   StudyQa -> IndexSubmission -> PublishSubmission -> QaReport -> RebuildSnapshot, Retry on transient errors, Catch -> Fail.
 */
export interface SubmissionInput { readonly submissionId: string }
/** $.studyQa: series/study and submission rules ran; `quarantined` staged files went back to quarantine. */
export interface StudyQaResult { readonly submissionId: string; readonly findings: number; readonly quarantined: number }
/** $.report: the QA report stored in the released bucket (`reports/{submissionId}/qa-report.json` and `.md`). */
export interface QaReportResult { readonly submissionId: string; readonly reportKey: string; readonly quarantined: number; readonly warnings: number }
/** $.index */
export interface IndexResult { readonly submissionId: string; readonly studyUids: readonly string[]; readonly instanceCount: number }
/** $.publish */
export interface PublishResult { readonly submissionId: string; readonly published: number; readonly alreadyPublished: boolean }
/** $.snapshot: the live search snapshot's new version with this submission's studies. */
export interface RebuildSnapshotResult { readonly submissionId: string; readonly version: number; readonly studies: number; readonly changed: number }

/** Error names a task may throw; Retry matches TRANSIENT_ERRORS only. */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException', 'TransientError',
] as const;

/**
 * Errors that say the platform failed, not the file (a handler that cannot load,
 * missing configuration, a transient error that outlived its retries). The ingest
 * workflow fails on them instead of quarantining, so the object waits in intake.
 */
export const PLATFORM_ERRORS = [
  'Runtime.ImportModuleError', 'Runtime.HandlerNotFound', 'Runtime.UserCodeSyntaxError',
  'ConfigurationError', 'TransientError', ...TRANSIENT_ERRORS.filter((e) => e !== 'TransientError'),
] as const;

/**
 * Errors of a task that ran out of memory or time on the file it was given: Lambda's
 * out-of-memory kill (`Runtime.OutOfMemory`, or `Runtime.ExitError` when the runtime is
 * killed or aborts, as Node does when its heap is exhausted), Lambda's own timeout
 * (`Sandbox.Timedout`) and a Task timeout (`States.Timeout`). The ingest workflow tries
 * such a task once more, then quarantines the file with the code `ResourceLimit`: a
 * file that exhausts a task would otherwise fail every redrive as a platform fault.
 */
export const RESOURCE_LIMIT_ERRORS = ['Runtime.OutOfMemory', 'Runtime.ExitError', 'Sandbox.Timedout', 'States.Timeout'] as const;

/** The quarantine code of a file whose task hit RESOURCE_LIMIT_ERRORS. */
export const RESOURCE_LIMIT = 'ResourceLimit';

/** Intake keys: `intake/{submissionId}/{fileId}`; work copies: `work/{submissionId}/{fileId}.dcm`. */
export const INTAKE_PREFIX = 'intake/';
export const WORK_PREFIX = 'work/';
