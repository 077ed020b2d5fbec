/**
 * Error names a workflow task may throw, and how the workflows treat them. Retry matches
 * TRANSIENT_ERRORS only.
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'TransientError',
] as const;

/**
 * Errors that say the platform failed, not the file (a handler that cannot load,
 * missing configuration, a transient error that outlived its retries). The ingest
 * workflow fails on them instead of quarantining, so the object waits in intake.
 */
export const PLATFORM_ERRORS = [
  'Runtime.ImportModuleError',
  'Runtime.HandlerNotFound',
  'Runtime.UserCodeSyntaxError',
  'ConfigurationError',
  'TransientError',
  ...TRANSIENT_ERRORS.filter((e) => e !== 'TransientError'),
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
