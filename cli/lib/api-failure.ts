import { CliError, EXIT } from '../exit-codes';
import { ApiError, ApiUnreachable } from './api-client';

/**
 * Failures no retry and no other file would change (the token is refused, the
 * role is missing, the API does not answer): the first one stops a whole run,
 * told once with its remedy, instead of once per file.
 */
export function stopsTheRun(error: unknown): boolean {
  return error instanceof ApiUnreachable || (error instanceof ApiError && (error.status === 401 || error.status === 403 || noRoute(error)));
}

/**
 * The base URL is wrong, not the call: API Gateway answers an unknown path with
 * 403 "Missing Authentication Token" (which reads as an access denial), the local
 * commons with 404 "No route for ...".
 */
function noRoute(error: ApiError): boolean {
  const message = (error.body as { message?: unknown } | undefined)?.message;
  return (
    (error.status === 403 && message === 'Missing Authentication Token') ||
    (error.status === 404 && typeof message === 'string' && message.startsWith('No route for '))
  );
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The failure as a message that names the URL tried and what to do; undefined for other errors. */
export function explainStop(error: unknown): CliError | undefined {
  if (error instanceof ApiUnreachable)
    return new CliError(
      `hilum: ${error.message}. Is the commons running (locally: npx hilum start) and is the URL right (--api URL or HILUM_API_URL)?${stageHint(error.url)}`,
      EXIT.unreachable,
    );
  if (!(error instanceof ApiError) || !stopsTheRun(error)) return undefined;
  const tried = error.url ? ` (tried ${error.url})` : '';
  if (noRoute(error))
    return new CliError(
      `hilum: the API has no such route${tried}: the API URL (--api or HILUM_API_URL) is probably wrong.${stageHint(error.url)}`,
      EXIT.usage,
    );
  if (error.status === 401)
    return new CliError(
      `hilum: the API refused the token: ${error.message}${tried}. It is missing, malformed, expired, or signed by another commons. ` +
        `Locally: export HILUM_TOKEN=$(npx hilum token --group ROLE) while 'hilum start' runs; deployed: sign in again for a fresh ID token.${stageHint(error.url)}`,
      EXIT.denied,
    );
  return new CliError(
    `hilum: the API denied the call: ${error.message}${tried}. ${roleHint(error.url)}${stageHint(error.url)}`,
    EXIT.denied,
  );
}

/** Which role the refused call needs, from its path (docs/access.md has the full table). */
function roleHint(url: string | undefined): string {
  const path = url ? new URL(url).pathname : '';
  if (/\/submissions\b|\/sites\/[^/]+\/key/.test(path))
    return 'Uploading needs a token of the group site-uploader:<site>, for the --site given, of a site the project lists as a contributor.';
  if (/\/ga4gh\/drs\/|\/cohorts\b|\/studies\/[^/]+\/files/.test(path))
    return 'Downloading needs a researcher token with access to the data (an open project, or an approved access request).';
  return "Your token's groups (cognito:groups) lack the role this call needs; docs/access.md lists them.";
}

/** The `/v1` stage: part of a deployed commons' URL, never of the local one. */
function stageHint(url: string | undefined): string {
  if (!url) return '';
  const parsed = new URL(url);
  const local = LOCAL_HOSTS.has(parsed.hostname);
  if (local && /\/v1(\/|$)/.test(parsed.pathname))
    return ` Note: the local commons serves the API at its root, without /v1 (e.g. --api http://${parsed.host}); /v1 is the stage of a deployed commons' URL.`;
  if (!local && !/\/v1(\/|$)/.test(parsed.pathname))
    return " Note: a deployed commons' URL ends with its stage, /v1 (the stack's ApiUrl output).";
  return '';
}
