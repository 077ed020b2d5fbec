import { readFileSync } from 'node:fs';
import { UsageError } from '../command';

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
  if (secret.length < MIN_LENGTH) throw new UsageError(`the de-identification secret is too short (at least ${MIN_LENGTH} characters).\n${HOW}`);
  return secret;
}
