/**
 * Named errors. API errors carry an HTTP status; only 4xx messages reach the
 * caller. Workflow errors are matched by `name` in Retry and Catch, so the name
 * is part of the contract. No message may contain a DICOM value or a file name.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
export class BadRequest extends HttpError {
  override readonly name = 'BadRequest';
  constructor(message: string, details?: unknown) {
    super(400, message, details);
  }
}
export class Unauthorized extends HttpError {
  override readonly name = 'Unauthorized';
  constructor(message = 'a valid bearer token is required') {
    super(401, message);
  }
}
export class Forbidden extends HttpError {
  override readonly name = 'Forbidden';
  constructor(message = 'not allowed') {
    super(403, message);
  }
}
export class NotFound extends HttpError {
  override readonly name = 'NotFound';
  constructor(message = 'not found') {
    super(404, message);
  }
}
export class Conflict extends HttpError {
  override readonly name = 'Conflict';
  constructor(message: string) {
    super(409, message);
  }
}

/** A failure worth retrying (throttling, an emulator hiccup); Retry matches this name. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}
/** The intake object is not one hilum announced (unknown submission or file id). */
export class UnknownUpload extends Error {
  override readonly name = 'UnknownUpload';
}
/** The independent verifier found PHI or a changed pixel payload. */
export class VerificationFailed extends Error {
  override readonly name = 'VerificationFailed';
}
/** A task's input did not match its contract. */
export class InvalidTaskInput extends Error {
  override readonly name = 'InvalidTaskInput';
}

/** Error names whose messages are ours and free of values, so they may be recorded as reasons. */
export const RECORDABLE_ERRORS = new Set([
  'DicomParseError',
  'DeidentificationTimeout',
  'UnknownUpload',
  'VerificationFailed',
  'InvalidTaskInput',
  'NoSuchKey',
  'TransientError',
  'States.Timeout',
  'States.TaskFailed',
  'Lambda.Unknown',
]);

/**
 * The names of the errors hilum declares (every `name` of an error class in layers/ and functions/; a test
 * keeps this list equal to the sources, so a new error class is added here on purpose). Their messages are
 * written by hilum and free of values by the house rule; a workflow task passes them on as thrown. Any other
 * error (a library's, the runtime's) may quote what it was reading, so a task withholds its message before
 * Step Functions and Lambda write it to CloudWatch Logs (layers/adapters/aws/task.ts).
 */
export const OWN_ERROR_NAMES: ReadonlySet<string> = new Set([
  'AccessRuleRefused',
  'BadRequest',
  'CaseLabelConfigError',
  'CleanPixelDataRefused',
  'ConfigurationError',
  'Conflict',
  'CsvSyntaxError',
  'DeidentificationTimeout',
  'DicomParseError',
  'DictionaryConfigError',
  'EvaluationQuotaReached',
  'EvaluationSetUnfit',
  'FileStateChanged',
  'Forbidden',
  'IdentifierError',
  'InflationLimitExceeded',
  'InvalidAuditCursor',
  'InvalidCursor',
  'InvalidFrameList',
  'InvalidMatchValue',
  'InvalidPageCursor',
  'InvalidQaConfig',
  'InvalidQidoQuery',
  'InvalidQuarantineCursor',
  'InvalidRenderParameter',
  'InvalidSearchCursor',
  'InvalidTaskInput',
  'ModelOutputInvalid',
  'ModelRunFailed',
  'MultipartError',
  'NoPreview',
  'NotAcceptable',
  'NotAcceptableMediaType',
  'NotFound',
  'ObjectTooLarge',
  'OcrTimeout',
  'OwnershipConflict',
  'PayloadTooLarge',
  'PixelDataError',
  'ProfileError',
  'ProjectKeyBlocked',
  'ProjectKeyMissing',
  'ReleaseExists',
  'RequestAlreadyDecided',
  'ResponseSchemaMismatch',
  'SizeMismatch',
  'SnapshotFormatError',
  'SnapshotMissing',
  'StudyOwnershipInconsistent',
  'SubmissionNotOpen',
  'SubmissionNotSealed',
  'TransientError',
  'Unauthorized',
  'UnknownUpload',
  'Unrenderable',
  'UnrenderableImage',
  'UnsupportedMediaType',
  'UnsupportedTransferSyntax',
  'VerificationFailed',
  'WeakLinkageKey',
]);
