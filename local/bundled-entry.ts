import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');

interface BundleCache {
  loadBundle(spec: {
    root: string;
    cacheDir: string;
    name: string;
    entries: Record<string, string>;
    external?: readonly string[];
  }): Promise<{ dir: string } | undefined>;
}

/**
 * The file to start a worker thread from for `source` (a path from the repository's root): the stub of its
 * esbuild bundle, loaded through V8's code cache and rebuilt whenever a source it holds changes
 * (cli/bin/bundle-cache.js, the cache the CLI's bundles share); undefined when the bundle cannot be built, so
 * the caller starts from its unbundled entry instead.
 */
export async function bundledEntry(name: string, source: string, external: readonly string[] = []): Promise<string | undefined> {
  // The cache is the CLI's plain JavaScript module, shared with cli/bin/hilum.js, which runs before any TypeScript loader.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadBundle } = require('../cli/bin/bundle-cache') as BundleCache;
  const bundle = await loadBundle({
    root: REPO_ROOT,
    cacheDir: path.join(REPO_ROOT, 'node_modules', '.cache', 'hilum'),
    name,
    entries: { [name]: source },
    external,
  });
  return bundle ? path.join(bundle.dir, `${name}.js`) : undefined;
}
