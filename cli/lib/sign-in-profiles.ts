import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CognitoTarget, SessionTokens } from './cognito-sign-in';

/**
 * Named profiles of deployed commons (API URL, user pool, client) in
 * `$XDG_CONFIG_HOME/hilum/profiles.json` (default `~/.config/hilum`), and each profile's
 * signed-in session in `sessions/<profile>.json` beside it, readable by its owner only
 * (it holds a refresh token, which is a credential for 7 days).
 */
export interface SignInProfile extends CognitoTarget {
  readonly apiUrl: string;
  readonly username?: string;
}

interface ProfilesFile {
  current?: string;
  profiles: Record<string, SignInProfile>;
}

export const DEFAULT_PROFILE_NAME = 'default';
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A token with less left than this is refreshed before it is used: an API call must not outlive it. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HILUM_CONFIG_DIR) return env.HILUM_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'hilum');
}

export class ProfileNotFound extends Error {
  override readonly name = 'ProfileNotFound';
}

export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) throw new ProfileNotFound(`'${name}' is not a profile name (letters, digits, . _ -)`);
  return name;
}

async function readProfiles(dir: string): Promise<ProfilesFile> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, 'profiles.json'), 'utf8')) as ProfilesFile;
    return { ...parsed, profiles: parsed.profiles ?? {} };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw error;
  }
}

/** Written aside and renamed, owner-only: a crash never leaves half a file, and nobody else reads a token. */
async function writePrivate(path: string, text: string): Promise<void> {
  const aside = `${path}.${process.pid}.tmp`;
  await writeFile(aside, text, { mode: 0o600 });
  await chmod(aside, 0o600);
  await rename(aside, path);
}

export async function saveProfile(name: string, profile: SignInProfile, dir = configDir()): Promise<void> {
  await mkdir(join(dir, 'sessions'), { recursive: true, mode: 0o700 });
  const file = await readProfiles(dir);
  file.profiles[checkProfileName(name)] = profile;
  file.current = name;
  await writePrivate(join(dir, 'profiles.json'), `${JSON.stringify(file, null, 2)}\n`);
}

/** The profile to use: the one named, else HILUM_PROFILE, else the last one signed in to, else `default`. */
export async function profileName(named: string | undefined, dir = configDir(), env = process.env): Promise<string> {
  return checkProfileName(named || env.HILUM_PROFILE || (await readProfiles(dir)).current || DEFAULT_PROFILE_NAME);
}

export async function loadProfile(name: string, dir = configDir()): Promise<SignInProfile | undefined> {
  return (await readProfiles(dir)).profiles[checkProfileName(name)];
}

const sessionPath = (dir: string, name: string) => join(dir, 'sessions', `${checkProfileName(name)}.json`);

export async function saveSession(name: string, tokens: SessionTokens, dir = configDir()): Promise<void> {
  await mkdir(join(dir, 'sessions'), { recursive: true, mode: 0o700 });
  await writePrivate(sessionPath(dir, name), `${JSON.stringify(tokens)}\n`);
}

export async function loadSession(name: string, dir = configDir()): Promise<SessionTokens | undefined> {
  try {
    return JSON.parse(await readFile(sessionPath(dir, name), 'utf8')) as SessionTokens;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function forgetSession(name: string, dir = configDir()): Promise<void> {
  await rm(sessionPath(dir, name), { force: true });
}

/** Why there is no usable session, said as what to do. */
export class SessionMissing extends Error {
  override readonly name = 'SessionMissing';
}

/**
 * The ID token of a profile's session, refreshed first when it has less than five minutes
 * left (and the refreshed session saved); a session the pool no longer honours says to sign in again.
 */
export async function currentIdToken(
  name: string,
  dir = configDir(),
  now = () => new Date(),
): Promise<{ idToken: string; profile: SignInProfile }> {
  const profile = await loadProfile(name, dir);
  const session = profile ? await loadSession(name, dir) : undefined;
  if (!profile || !session) throw new SessionMissing(`not signed in to profile '${name}': run 'hilum login --profile ${name}'`);
  if (Date.parse(session.expiresAt) - now().getTime() > REFRESH_MARGIN_MS) return { idToken: session.idToken, profile };
  // The Cognito client (the AWS SDK, a sixth of `hilum upload`'s start) loads only for a session to refresh. A require:
  // the CLI runs its sources through tsx's require hook, which an import() would bypass.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { refreshSession, SignInError } = require('./cognito-sign-in') as typeof import('./cognito-sign-in');
  try {
    const refreshed = await refreshSession(profile, session.refreshToken, now);
    await saveSession(name, refreshed, dir);
    return { idToken: refreshed.idToken, profile };
  } catch (error) {
    if (error instanceof SignInError)
      throw new SessionMissing(`the session of profile '${name}' has ended (${error.message}): run 'hilum login --profile ${name}'`);
    throw error;
  }
}
