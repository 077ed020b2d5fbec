import { readFile } from 'node:fs/promises';
import { HilumApi } from './api-client';
import { UsageError } from '../command';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/**
 * Where the API is and who is calling: `--api` or HILUM_API_URL, and the bearer
 * token from `--token-file` or HILUM_TOKEN (never a command-line value, which
 * would land in shell history and process lists).
 */
export async function connect(options: { api?: string; tokenFile?: string }): Promise<{ api: HilumApi; apiUrl: string }> {
  const apiUrl = (options.api ?? process.env.HILUM_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const token = options.tokenFile ? (await readFile(options.tokenFile, 'utf8')).trim() : process.env.HILUM_TOKEN?.trim();
  if (!token)
    throw new UsageError(
      'no token: set HILUM_TOKEN or pass --token-file FILE (locally: export HILUM_TOKEN=$(npx hilum token --group site-uploader:<site>))',
    );
  return { api: new HilumApi(apiUrl, token), apiUrl };
}
