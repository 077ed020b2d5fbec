import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stateHome } from '../lib/state-dir';

/** Where versions before the XDG state directory kept the spool: the folder the gateway was started in. */
export const LEGACY_SPOOL = '.hilum-gateway';

/** Every gateway's spool lives under `$XDG_STATE_HOME/hilum/gateway/` (default `~/.local/state/hilum/gateway`). */
export function gatewaysHome(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateHome(env), 'gateway');
}

/** One spool per project and site, so two gateways on one machine never take each other's studies. */
export function defaultSpoolDir(project: string, site: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(gatewaysHome(env), `${project}-${site}`);
}

export interface SpoolLocation {
  readonly dir: string;
  /** What happened to an earlier version's spool, for the log. */
  readonly note?: string;
}

/**
 * The spool a gateway uses: `--spool` when given, else the state directory's. A spool an
 * earlier version left in `./.hilum-gateway` still holds instances the PACS was told were
 * delivered: it is moved to the new place (one rename), or, when it cannot be (another file
 * system, the new place already in use), used where it is or named in the log, so nothing
 * acknowledged is lost.
 */
export async function locateSpool(options: {
  readonly spool?: string;
  readonly project: string;
  readonly site: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}): Promise<SpoolLocation> {
  if (options.spool !== undefined) return { dir: resolve(options.spool) };
  const target = defaultSpoolDir(options.project, options.site, options.env);
  const legacy = resolve(options.cwd ?? process.cwd(), LEGACY_SPOOL);
  // The spool holds originals (PHI) until they are de-identified and sent: the owner's alone.
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  if (!(await isDirectory(legacy))) return { dir: target };
  if (!(await isEmptyOrAbsent(target))) {
    return {
      dir: target,
      note: `an earlier version's spool is still in ${legacy} and ${target} is in use: studies left there are not sent from here; run this gateway once with --spool ${legacy} to send them`,
    };
  }
  try {
    await rename(legacy, target);
    return { dir: target, note: `moved the spool an earlier version left in ${legacy} to ${target}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      dir: legacy,
      note: `using the spool an earlier version left in ${legacy} (it cannot be moved to ${target}: ${code}); pass --spool to choose`,
    };
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function isEmptyOrAbsent(path: string): Promise<boolean> {
  return readdir(path).then(
    (entries) => entries.length === 0,
    () => true,
  );
}
