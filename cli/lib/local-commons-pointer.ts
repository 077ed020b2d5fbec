import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stateHome } from './state-dir';

/**
 * `hilum start` leaves a note of the commons it runs (data folder, API, process)
 * in the user's state directory, so `hilum token` run from any folder signs with
 * the key that commons trusts instead of minting one nobody does.
 */
export interface RunningCommons {
  readonly dataDir: string;
  readonly apiUrl: string;
  readonly pid: number;
}

export const pointerFile = (env: NodeJS.ProcessEnv = process.env): string => join(stateHome(env), 'local-commons.json');
export const signingKeyFile = (dataDir: string): string => join(dataDir, 'auth', 'signing-key.json');

export async function writeRunningCommons(running: RunningCommons, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = pointerFile(env);
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(running, null, 1)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/** Removes the note if it is still this process's (a later `hilum start` may have replaced it). */
export async function clearRunningCommons(pid: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const running = await readRunningCommons(env);
  if (running?.pid === pid) await rm(pointerFile(env), { force: true });
}

/** The commons of the note when its process is still alive; undefined otherwise. */
export async function readRunningCommons(env: NodeJS.ProcessEnv = process.env): Promise<RunningCommons | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(pointerFile(env), 'utf8'));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const { dataDir, apiUrl, pid } = parsed as Record<string, unknown>;
  if (typeof dataDir !== 'string' || typeof apiUrl !== 'string' || typeof pid !== 'number') return undefined;
  return processIsAlive(pid) ? { dataDir, apiUrl, pid } : undefined;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type SigningDataDir = { dataDir: string; from: string } | { refusal: string };

/**
 * The data folder whose signing key `hilum token` may use: the one asked for
 * (it must hold a key already), else the running commons', else ./.hilum when a
 * commons has used it. Never one without a key: a new key would sign tokens the
 * running commons rejects as "invalid or expired".
 */
export async function findSigningDataDir(
  asked: string | undefined,
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<SigningDataDir> {
  if (asked !== undefined) {
    const dataDir = resolve(cwd, asked);
    if (await exists(signingKeyFile(dataDir))) return { dataDir, from: '--data-dir' };
    return {
      refusal: `no local commons has used ${dataDir} (it holds no auth/signing-key.json). Start one there with 'npx hilum start --data-dir ${asked}', or pass the --data-dir of the running commons`,
    };
  }
  const running = await readRunningCommons(env);
  if (running && (await exists(signingKeyFile(running.dataDir))))
    return { dataDir: running.dataDir, from: `the running commons (${running.apiUrl})` };
  const here = resolve(cwd, '.hilum');
  if (await exists(signingKeyFile(here))) return { dataDir: here, from: here };
  return {
    refusal: `no running local commons found, and ${here} holds no signing key. Start one with 'npx hilum start' (in any folder), or pass --data-dir DIR, the data folder of the commons you started`,
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
