/**
 * `hilum` commands as child processes, for tests and benches that kill the local commons
 * the way a crash does: `hilum start` runs detached, in its own process group, so that
 * SIGKILL of the group stops it and everything it started (DynamoDB Local's JVM included)
 * at once, with no chance to clean up.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export const HILUM_CLI = join(__dirname, '../../cli/bin/hilum.js');

export interface Running {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  readonly exited: Promise<number | null>;
}

/** Runs `hilum <args>` with the test's environment plus `env`; `logFile` also receives the output. */
export function runHilum(
  args: readonly string[],
  env: Record<string, string>,
  options: { detached?: boolean; logFile?: string } = {},
): Running {
  const child = spawn(process.execPath, [HILUM_CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  const file: WriteStream | undefined = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const take = (d: Buffer) => {
    output += d.toString();
    file?.write(d);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      file?.end();
      resolve(code);
    }),
  );
  return { child, output: () => output, exited };
}

/** Polls `probe` until it answers something other than undefined; throws after `ms`. */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string | (() => string),
  ms: number,
  every = 100,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export const COMMONS_READY = 'hilum local commons is running';

/** Starts `hilum start` on a data folder in its own process group and waits until it serves. */
export async function startCommonsProcess(options: {
  dataDir: string;
  port: number;
  env?: Record<string, string>;
  logFile?: string;
  timeoutMs?: number;
}): Promise<Running> {
  // Its note of the running commons (for `hilum token`) goes where the test says, else beside its data: never the machine's state folder.
  const env = { ...(process.env.XDG_STATE_HOME ? {} : { XDG_STATE_HOME: join(options.dataDir, '.state') }), ...options.env };
  const started = runHilum(['start', '--data-dir', options.dataDir, '--port', String(options.port), '--no-sample'], env, {
    detached: true,
    ...(options.logFile ? { logFile: options.logFile } : {}),
  });
  try {
    await until(
      async () => {
        if (started.output().includes(COMMONS_READY)) return true;
        if (started.child.exitCode !== null) throw new Error(`hilum start exited (${started.child.exitCode}):\n${started.output()}`);
        return undefined;
      },
      () => `the commons to start:\n${started.output()}`,
      options.timeoutMs ?? 120_000,
      200,
    );
  } catch (error) {
    // Half started (its servers up, its start-up failed) is still running: never leave it behind.
    await killGroup(started);
    throw error;
  }
  return started;
}

/** SIGKILL of the whole process group, as a crash (or `kill -9 -<pgid>`) would; waits for the exit. */
export async function killGroup(running: Running): Promise<void> {
  try {
    process.kill(-running.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await running.exited;
}
