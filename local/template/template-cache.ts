import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A synthesized template kept on disk, keyed by everything the synthesis reads: the sources of
 * infra/, functions/, layers/ and workflows/, cdk.json's context and feature flags, the locked
 * dependency versions (aws-cdk-lib among them), the Node major and the CDK environment. Synthesis
 * takes seconds; every `hilum start` and every integration test's commons would otherwise pay it
 * again for a template that did not change. Any change to an input gives another key, so a stale
 * template is never used; the cost of hashing the inputs is tens of milliseconds.
 */

const SOURCE_FOLDERS = ['infra', 'functions', 'layers', 'workflows'];
const SOURCE_FILES = ['cdk.json', 'package.json', 'package-lock.json'];
const SOURCE_EXTENSIONS = new Set(['.ts', '.js', '.mjs', '.json']);

/** Where templates are kept: HILUM_TEMPLATE_CACHE, else $XDG_CACHE_HOME/hilum/templates; undefined when HILUM_TEMPLATE_CACHE=off. */
export function templateCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.HILUM_TEMPLATE_CACHE;
  if (configured === 'off') return undefined;
  if (configured && path.isAbsolute(configured)) return configured;
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'hilum', 'templates');
}

/** The key of the template that synthesizing `repoRoot` now would give. */
export async function templateCacheKey(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`node ${process.versions.node.split('.')[0]}\0`);
  hash.update(`account ${env.CDK_DEFAULT_ACCOUNT ?? ''}\0region ${env.CDK_DEFAULT_REGION ?? ''}\0`);
  const files = [...SOURCE_FILES];
  for (const folder of SOURCE_FOLDERS) files.push(...(await sourcesUnder(repoRoot, folder)));
  for (const file of files.sort()) {
    const content = await readFile(path.join(repoRoot, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    hash.update(`${file}\0${content ? content.length : -1}\0`);
    if (content) hash.update(content);
  }
  return hash.digest('hex').slice(0, 32);
}

async function sourcesUnder(repoRoot: string, folder: string): Promise<string[]> {
  const entries = await readdir(path.join(repoRoot, folder), { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((e) => e.isFile() && SOURCE_EXTENSIONS.has(path.extname(e.name)))
    .map((e) => path.relative(repoRoot, path.join(e.parentPath, e.name)));
}

export async function readCachedTemplate(dir: string, key: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path.join(dir, `${key}.json`), 'utf8')) as unknown;
  } catch {
    // Absent, or cut short by a crash mid-write elsewhere: synthesize again.
    return undefined;
  }
}

/** How many templates are kept: a few, so switching between branches does not synthesize each time. */
export const TEMPLATES_KEPT = 4;
/** A `.tmp` older than this is a write that a crash cut short. */
const ABANDONED_WRITE_MS = 10 * 60_000;

/**
 * Written aside and renamed, so a concurrent reader sees the whole template or none; then all but
 * the newest TEMPLATES_KEPT templates are removed.
 */
export async function writeCachedTemplate(dir: string, key: string, template: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  const aside = path.join(dir, `${key}.${process.pid}.${Date.now()}.tmp`);
  await writeFile(aside, JSON.stringify(template));
  await rename(aside, path.join(dir, `${key}.json`));
  await pruneTemplates(dir);
}

async function pruneTemplates(dir: string): Promise<void> {
  const now = Date.now();
  const files = await Promise.all(
    (await readdir(dir)).map(async (name) => ({
      name,
      mtimeMs: await stat(path.join(dir, name)).then(
        (s) => s.mtimeMs,
        () => now,
      ),
    })),
  );
  const templates = files.filter((f) => f.name.endsWith('.json')).sort((a, b) => b.mtimeMs - a.mtimeMs);
  const abandoned = files.filter((f) => f.name.endsWith('.tmp') && now - f.mtimeMs > ABANDONED_WRITE_MS);
  for (const f of [...templates.slice(TEMPLATES_KEPT), ...abandoned]) await rm(path.join(dir, f.name), { force: true });
}
