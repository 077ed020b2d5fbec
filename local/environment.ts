import type { LocalCredentials } from './credentials';
import type { LocalFunction } from './template/local-model';

/**
 * The process environment of the local handlers. All handlers share one process, so
 * the functions' template variables are merged (a name with two values is an error),
 * then local values (region, credentials, emulator endpoints, local auth) override.
 */

export class EnvironmentConflictError extends Error {
  override readonly name = 'EnvironmentConflictError';
}

/**
 * Variables that legitimately differ per function (Powertools' service name). They are
 * not merged: each one is set only while its function's module is imported, which is
 * when handlers read it (module scope).
 */
export const PER_FUNCTION_VARIABLES: ReadonlySet<string> = new Set(['POWERTOOLS_SERVICE_NAME']);

export interface LocalEndpoints {
  readonly s3: string;
  readonly dynamodb: string;
  readonly services: string;
  readonly apiUrl: string;
}

export interface LocalAuth {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
}

/** The union of the functions' variables, minus the per-function ones. */
export function mergedFunctionEnvironment(functions: Iterable<LocalFunction>): Record<string, string> {
  const env: Record<string, string> = {};
  const setBy: Record<string, string> = {};
  for (const fn of functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (PER_FUNCTION_VARIABLES.has(name)) continue;
      const existing = env[name];
      if (existing !== undefined && existing !== value) {
        throw new EnvironmentConflictError(
          `environment variable ${name} is ${JSON.stringify(existing)} for ${setBy[name] ?? '?'} but ${JSON.stringify(value)} for ${fn.id}; ` +
            'all handlers share one process locally, so a variable must have one value across functions',
        );
      }
      env[name] = value;
      setBy[name] = fn.id;
    }
  }
  return env;
}

/** Values that replace the template's for local mode (`undefined` removes a variable). */
export function localOverrides(
  endpoints: LocalEndpoints,
  auth: LocalAuth,
  credentials: LocalCredentials,
): Record<string, string | undefined> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    // The data directory's key: every emulator verifies SigV4 against it.
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    // Would make the SDK ignore the endpoint variables below.
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.services,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.services,
    // s3rver corrupts streamed bodies with the default (WHEN_SUPPORTED) checksums; the
    // SDK reads these for clients that do not set the options themselves.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    HILUM_S3_FORCE_PATH_STYLE: 'true',
    HILUM_LOCAL: 'true',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    // Tracing is off, yet the X-Ray SDK the tracer imports starts in automatic mode: an async hook
    // (cls-hooked) on every promise, socket and file handle of the process, the emulators' included.
    AWS_XRAY_MANUAL_MODE: 'true',
    AUTH_ISSUER: auth.issuer,
    AUTH_AUDIENCE: auth.audience,
    AUTH_JWKS_URL: auth.jwksUrl,
  };
}

/**
 * Applies `vars` to `process.env` and returns a function restoring the previous values.
 * `NODE_OPTIONS` from the template is not applied: it configures a Lambda runtime's
 * node, and would leak into every child process started from here.
 */
export function applyEnvironment(vars: Record<string, string | undefined>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(vars)) {
    if (name === 'NODE_OPTIONS') continue;
    previous.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Runs `fn` with the function's per-function variables set (synchronously), then restores them. */
export function withFunctionVariables<T>(fn: LocalFunction, run: () => T): T {
  const vars: Record<string, string> = {};
  for (const name of PER_FUNCTION_VARIABLES) {
    const value = fn.environment[name];
    if (value !== undefined) vars[name] = value;
  }
  const restore = applyEnvironment(vars);
  try {
    return run();
  } finally {
    restore();
  }
}
