import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from './clients';
import { requireEnv } from '../../common/config';
import { ENV } from '../../common/env-names';
import { cursorKeyFrom, PageCursorSealer } from '../../common/page-cursors';

/**
 * The deployment's page cursor sealer: its key is a random secret Secrets Manager
 * generated at deploy (`PageCursorKey` in infra), read once per container, on the
 * first cursor a function seals or opens. Replacing the secret only invalidates the
 * cursors issued before (a client starts its listing again), so it may be rotated at will.
 */
let sealer: Promise<PageCursorSealer> | undefined;

export function pageCursorSealer(): Promise<PageCursorSealer> {
  if (!sealer) {
    const reading = readSealer();
    reading.catch(() => {
      if (sealer === reading) sealer = undefined;
    });
    sealer = reading;
  }
  return sealer;
}

async function readSealer(): Promise<PageCursorSealer> {
  const result = await secretsClient().send(new GetSecretValueCommand({ SecretId: requireEnv(ENV.pageCursorSecretId) }));
  return new PageCursorSealer(cursorKeyFrom(result.SecretString ?? ''));
}
