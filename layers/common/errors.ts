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
