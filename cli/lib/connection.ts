import { readFile } from 'node:fs/promises';
import { HilumApi } from './api-client';
import { configDir, currentIdToken, loadProfile, loadSession, profileName, SessionMissing } from './sign-in-profiles';
import { UsageError } from '../command';
import { CliError, EXIT } from '../exit-codes';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/**
 * Where the API is and who is calling: `--api` or HILUM_API_URL, and the bearer
 * token from `--token-file` or HILUM_TOKEN (never a command-line value, which
 * would land in shell history and process lists); with none of these, the profile
 * `hilum login` signed in to gives the API URL and a token it keeps fresh.
 */
export async function connect(options: { api?: string; tokenFile?: string; profile?: string }): Promise<{ api: HilumApi; apiUrl: string }> {
  const apiUrl = (options.api || process.env.HILUM_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
  if (!URL.canParse(apiUrl) || !/^https?:$/.test(new URL(apiUrl).protocol))
    throw new UsageError(`the API URL '${apiUrl}' is not an http(s) URL (--api URL or HILUM_API_URL)`);
  const token = options.tokenFile ? (await readFile(options.tokenFile, 'utf8')).trim() : process.env.HILUM_TOKEN?.trim();
  if (!token && !options.api && !process.env.HILUM_API_URL) {
    // No token and no URL given: the signed-in profile (hilum login) gives both, its token refreshed as it nears expiry.
    const signedIn = await signedInProfile(options.profile);
    if (signedIn) return { api: new HilumApi(signedIn.apiUrl, signedIn.token), apiUrl: signedIn.apiUrl };
  }
  if (!token)
    throw new UsageError(
      'no token: sign in with hilum login (a deployed commons), or set HILUM_TOKEN or pass --token-file FILE (locally: export HILUM_TOKEN=$(npx hilum token --group site-uploader:<site>))',
    );
  return { api: new HilumApi(apiUrl, token), apiUrl };
}

/**
 * The profile `hilum login` signed in to (named, else HILUM_PROFILE, else the last one), when it
 * has a session: its API URL and a token source that refreshes the ID token before each call
 * that would otherwise use one about to expire. Undefined when there is no such session.
 */
async function signedInProfile(named: string | undefined): Promise<{ apiUrl: string; token: () => Promise<string> } | undefined> {
  const dir = configDir();
  const name = await profileName(named, dir);
  const profile = await loadProfile(name, dir);
  if (!profile || !(await loadSession(name, dir))) return undefined;
  let cached: { idToken: string; until: number } | undefined;
  const token = async () => {
    // A minute in memory: currentIdToken refreshes five minutes before expiry, so a cached token never runs out.
    if (cached && Date.now() < cached.until) return cached.idToken;
    try {
      cached = { idToken: (await currentIdToken(name, dir)).idToken, until: Date.now() + 60_000 };
      return cached.idToken;
    } catch (error) {
      if (error instanceof SessionMissing) throw new CliError(error.message, EXIT.denied);
      throw error;
    }
  };
  await token();
  return { apiUrl: profile.apiUrl.replace(/\/+$/, ''), token };
}
