import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { distDirOf, ensurePortalBuilt } from './build';

/**
 * The JavaScript a page costs, gzipped: the entry chunk, the page's own chunk and every chunk
 * they import statically (what the browser must fetch before the page works), read from
 * Vite's build manifest. Dynamic imports (the viewer, the upload worker) are left out: they
 * load on demand. `npm run portal:budget` prints it for the Explore route against its budget.
 */

interface ManifestChunk {
  readonly file: string;
  readonly src?: string;
  readonly isEntry?: boolean;
  readonly imports?: readonly string[];
}

export const EXPLORE_BUDGET_BYTES = 300 * 1024;

export async function routeJavaScript(
  pageSource: string,
  mode: 'local' | 'aws' = 'local',
): Promise<{ files: string[]; gzipBytes: number }> {
  const dist = distDirOf(mode);
  const manifest = JSON.parse(await fs.readFile(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
  const page = Object.keys(manifest).find((k) => k === pageSource || manifest[k]!.src === pageSource);
  if (!entry || !page) throw new Error(`no entry or no chunk for ${pageSource} in the build manifest`);
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const i of manifest[key]?.imports ?? []) visit(i);
  };
  visit(entry);
  visit(page);
  const files = [...seen].map((k) => manifest[k]!.file).filter((f) => f.endsWith('.js'));
  let gzipBytes = 0;
  for (const f of files) gzipBytes += gzipSync(await fs.readFile(path.join(dist, f)), { level: 9 }).length;
  return { files, gzipBytes };
}

async function main(): Promise<void> {
  await ensurePortalBuilt();
  const { files, gzipBytes } = await routeJavaScript('src/pages/explore/index.tsx');
  const kb = (gzipBytes / 1024).toFixed(1);
  console.log(`Explore route JavaScript: ${kb} KB gzipped in ${files.length} chunks (budget ${EXPLORE_BUDGET_BYTES / 1024} KB)`);
  if (gzipBytes > EXPLORE_BUDGET_BYTES) process.exitCode = 1;
}

if (require.main === module) void main();
