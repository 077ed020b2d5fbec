import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Building the portal (web/) with Vite, when its output is missing or older than its
 * sources. `hilum start` and the browser tests call `ensurePortalBuilt`; two processes
 * asking at once build once (a lock directory; the other waits for it).
 */

export const WEB_DIR = path.resolve(__dirname, '../../web');
export type PortalBuildMode = 'local' | 'aws';
export const distDirOf = (mode: PortalBuildMode = 'local') => path.join(WEB_DIR, mode === 'aws' ? 'dist-aws' : 'dist');
const SOURCES = ['src', 'index.html', 'vite.config.mts'];

/** The newest modification time under the portal's sources (ms). */
async function newestSource(): Promise<number> {
  let newest = 0;
  const visit = async (p: string): Promise<void> => {
    const stat = await fs.stat(p).catch(() => undefined);
    if (!stat) return;
    if (stat.isDirectory()) await Promise.all((await fs.readdir(p)).map((name) => visit(path.join(p, name))));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  await Promise.all(SOURCES.map((s) => visit(path.join(WEB_DIR, s))));
  return newest;
}

export async function portalIsStale(mode: PortalBuildMode = 'local'): Promise<boolean> {
  const built = await fs.stat(path.join(distDirOf(mode), 'index.html')).catch(() => undefined);
  return !built || built.mtimeMs < (await newestSource());
}

/**
 * Builds with Vite's JS API in a child process on the pinned Node: Vite is ESM-only and the
 * callers (the CLI, jest) load modules as CommonJS; a child also keeps the build's CPU off
 * the commons' event loop.
 */
export async function buildPortal(mode: PortalBuildMode = 'local'): Promise<{ ms: number }> {
  const started = Date.now();
  const script = `import(${JSON.stringify(pathToFileURL(require.resolve('vite')).href)}).then((v) => v.build({ configFile: ${JSON.stringify(
    path.join(WEB_DIR, 'vite.config.mts'),
  )}, mode: ${JSON.stringify(mode === 'aws' ? 'aws' : 'production')}, logLevel: 'warn' }))`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: WEB_DIR,
      stdio: ['ignore', 'inherit', 'pipe'],
      // Vite builds React's development bundle when NODE_ENV says so, and jest sets it to `test`: a
      // build started from a test was the development one (430 KB, not 230, and slower to render).
      env: { ...process.env, NODE_ENV: 'production', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the portal build failed (exit ${code}):\n${stderr}`))));
  });
  return { ms: Date.now() - started };
}

/** Builds when stale; resolves to whether it built and how long it took. */
export async function ensurePortalBuilt(mode: PortalBuildMode = 'local'): Promise<{ built: boolean; ms: number }> {
  const lock = path.join(WEB_DIR, `.build-lock-${mode}`);
  const started = Date.now();
  for (;;) {
    if (!(await portalIsStale(mode))) return { built: false, ms: Date.now() - started };
    try {
      await fs.mkdir(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another process builds; a lock older than five minutes is from a build that died.
      const stat = await fs.stat(lock).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > 5 * 60_000) await fs.rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!(await portalIsStale(mode))) return { built: false, ms: Date.now() - started };
      await buildPortal(mode);
      return { built: true, ms: Date.now() - started };
    } finally {
      await fs.rm(lock, { recursive: true, force: true });
    }
  }
}

// `npm run portal:build [-- aws]`: build now, stale or not.
if (require.main === module) {
  const mode: PortalBuildMode = process.argv[2] === 'aws' ? 'aws' : 'local';
  buildPortal(mode).then(
    ({ ms }) => console.log(`hilum: built the portal (${path.relative(process.cwd(), distDirOf(mode))}) in ${(ms / 1000).toFixed(1)} s`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
