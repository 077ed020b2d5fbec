/**
 * An API answer that is not a success, turned into what a person can act on. The API's
 * error bodies are `{ message, details? }` (DRS routes: `{ msg, status_code }`), value-free
 * by construction; the portal shows their message and adds what to do next.
 */

export type ApiErrorKind = 'signed-out' | 'forbidden' | 'not-found' | 'invalid' | 'conflict' | 'too-large' | 'server' | 'network';

export interface HumanError {
  readonly kind: ApiErrorKind;
  readonly status: number;
  /** One sentence for the banner. */
  readonly message: string;
  /** What to do about it, when there is something to do. */
  readonly action?: string;
  /** A 403 on data: the portal offers a link to request access. */
  readonly canRequestAccess: boolean;
}

export function serverMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const text = typeof b.message === 'string' ? b.message : typeof b.msg === 'string' ? b.msg : undefined;
  return text?.trim() || undefined;
}

// Routes that hand out data: a 403 there is missing access to a project or cohort, which a
// researcher can ask the data access committee for.
const DATA_PATHS = /^\/(search|studies|cohorts|dicomweb|ga4gh\/drs)(\/|$)/;

export function describeApiError(status: number, body: unknown, request: { readonly method: string; readonly path: string }): HumanError {
  const said = serverMessageOf(body);
  if (status === 0)
    return {
      kind: 'network',
      status,
      message: 'The commons could not be reached.',
      action: 'Check your connection and try again.',
      canRequestAccess: false,
    };
  if (status === 401)
    return {
      kind: 'signed-out',
      status,
      message: 'Your session has ended.',
      action: 'Sign in again; you will come back to this page.',
      canRequestAccess: false,
    };
  if (status === 403) {
    const data = DATA_PATHS.test(request.path);
    const missing = said ? `You do not have the access this needs (${said}).` : 'You do not have the access this needs.';
    return {
      kind: 'forbidden',
      status,
      message: missing,
      action: data
        ? 'Request access to the project or cohort under Access requests; the data access committee decides.'
        : 'Ask an administrator of the commons for the role this page needs.',
      canRequestAccess: data,
    };
  }
  if (status === 404) return { kind: 'not-found', status, message: said ?? 'Not found, or not visible to you.', canRequestAccess: false };
  if (status === 409)
    return { kind: 'conflict', status, message: said ?? 'This conflicts with the current state.', canRequestAccess: false };
  if (status === 413) return { kind: 'too-large', status, message: 'The request is too large.', canRequestAccess: false };
  if (status >= 400 && status < 500)
    return { kind: 'invalid', status, message: said ?? 'The request was not accepted.', canRequestAccess: false };
  return {
    kind: 'server',
    status,
    message: 'The commons failed to answer.',
    action: 'Try again in a moment; if it persists, tell the commons operators.',
    canRequestAccess: false,
  };
}
