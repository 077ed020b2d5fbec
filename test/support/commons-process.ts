/**
 * `hilum` commands as child processes, for tests and benches that kill the local commons
 * the way a crash does: `hilum start` runs detached, in its own process group, so that
 * SIGKILL of the group stops it and everything it started (DynamoDB Local's JVM included)
 * at once, with no chance to clean up.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
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
  const group = -running.child.pid!;
  try {
    process.kill(group, 'SIGKILL');
  } catch {
    // already gone
  }
  await running.exited;
  // The commons' children too (DynamoDB Local's JVM holds its port until it is gone, which can outlast the parent's
  // exit by a moment): a restart on the same ports, as a user's after a crash, follows the whole group's end.
  await until(async () => ((await liveMembersOf(-group)) === 0 ? true : undefined), "the killed commons' process group to end", 10_000, 20);
}

/** Processes of the group that are not yet dead: zombies (ended, their ports closed, awaiting a reaper) do not count. */
async function liveMembersOf(group: number): Promise<number> {
  let live = 0;
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after its last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === group && state !== 'Z' && state !== 'X') live += 1;
  }
  return live;
}
