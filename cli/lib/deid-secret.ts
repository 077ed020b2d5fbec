import { readFileSync } from 'node:fs';
import { UsageError } from '../command';
import type { HilumApi } from './api-client';

export const SECRET_ENV = 'HILUM_DEID_SECRET';
const MIN_LENGTH = 32;
const HOW = `Make one with:  openssl rand -hex 32 > secret.key  and pass --secret-file secret.key (or set ${SECRET_ENV}).
Keep it safe and keep it: the same secret gives the same pseudonyms, UIDs and date shifts across runs and sites.`;

/**
 * The de-identification key, from a file or the environment, never from the
 * command line (it would sit in shell history and in the process list).
 */
export function readDeidSecret(secretFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  let secret: string;
  if (secretFile !== undefined) {
    try {
      secret = readFileSync(secretFile, 'utf8').trim();
    } catch {
      throw new UsageError(`cannot read the secret file given with --secret-file.\n${HOW}`);
    }
  } else {
    secret = (env[SECRET_ENV] ?? '').trim();
    if (secret === '') throw new UsageError(`a de-identification secret is required.\n${HOW}`);
  }
  if (secret.length < MIN_LENGTH)
    throw new UsageError(`the de-identification secret is too short (at least ${MIN_LENGTH} characters).\n${HOW}`);
  return secret;
}

/** What GET /projects/{project}/site-key answers a contributing site. */
interface SiteKeyAnswer {
  readonly project: string;
  readonly version: string;
  readonly fingerprint: string;
  readonly key: string;
}

/**
 * The project's key for de-identification at the site (`hilum upload --deid-at-site`,
 * `hilum gateway`): from --secret-file or HILUM_DEID_SECRET when one is given (an
 * operator's export), otherwise fetched from the commons with the site's token
 * (GET /projects/{project}/site-key, which only a site the project lists as a
 * contributor gets). A fetched key is held in memory only, never written or printed.
 */
export async function siteDeidSecret(
  api: HilumApi,
  project: string,
  secretFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ secret: string; from: string }> {
  if (secretFile !== undefined || (env[SECRET_ENV] ?? '').trim() !== '') {
    return { secret: readDeidSecret(secretFile, env), from: secretFile !== undefined ? '--secret-file' : SECRET_ENV };
  }
  const answer = await api.request<SiteKeyAnswer>('GET', `/projects/${encodeURIComponent(project)}/site-key`);
  if (typeof answer?.key !== 'string' || answer.key.length < MIN_LENGTH)
    throw new UsageError(`the commons gave no usable de-identification key for project ${project}`);
  return { secret: answer.key, from: `the commons (project ${project}, key version ${answer.version}, fingerprint ${answer.fingerprint})` };
}
