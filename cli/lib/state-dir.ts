import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';

/**
 * Where the CLI keeps what it remembers between runs (upload state, de-identified
 * copies, the running local commons): the user's XDG state directory, never the
 * user's own folders. `$XDG_STATE_HOME/hilum`, by default `~/.local/state/hilum`
 * (a relative XDG_STATE_HOME is ignored, as the XDG specification says).
 */
export function stateHome(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state'), 'hilum');
}

/**
 * The state folder of one source folder (or file), keyed by its absolute path:
 * readable name, plus a hash so two folders of the same name never share state.
 */
export function folderStateDir(folder: string, env: NodeJS.ProcessEnv = process.env): string {
  const absolute = resolve(folder);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  const name = basename(absolute).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return join(stateHome(env), 'folders', `${name}-${hash}`);
}
