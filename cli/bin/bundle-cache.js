'use strict';
/**
 * Prebuilt bundles of TypeScript entry points, cached under
 * node_modules/.cache/hilum and keyed by a hash of every source they contain.
 *
 * Why: `hilum deid` spends most of a short run starting up, and under tsx each
 * worker thread registers the loader and transforms or looks up every module on
 * its own. One esbuild bundle per entry loads in a few milliseconds.
 *
 * Never stale: the bundle's sources are read by the build itself (an onLoad
 * hook), so the hash covers exactly the bytes that went into it. Each start
 * re-reads the recorded sources and recomputes the hash; any change (including
 * a new import, which changes the importing file) gives another hash and a
 * rebuild. `npm ci` stays the only setup step: the first run builds.
 * Anything going wrong returns undefined and the caller falls back to tsx.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** Bumped when the build options below change meaning. */
const FORMAT = 1;

function esbuildVersion() {
  return JSON.parse(fs.readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
}

/** What, besides the sources, decides the bundle's bytes. */
function saltOf(spec) {
  return JSON.stringify({ format: FORMAT, esbuild: esbuildVersion(), node: process.versions.node.split('.')[0], entries: spec.entries, external: spec.external ?? [] });
}

function digest(salt, sources) {
  const hash = crypto.createHash('sha256').update(salt);
  for (const [file, bytes] of sources) hash.update(`\0${file}\0${bytes.byteLength}\0`).update(bytes);
  return hash.digest('hex').slice(0, 24);
}

/** The sources a manifest lists, as they are on disk now (throws if one is gone). */
function currentSources(root, inputs) {
  return inputs.map((file) => [file, fs.readFileSync(path.join(root, file))]);
}

function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Removes earlier builds of this bundle (left alone for a while, in case a running process still starts workers from one). */
function prune(cacheDir, name, keep) {
  const cutoff = Date.now() - 10 * 60 * 1000;
  for (const entry of fs.readdirSync(cacheDir)) {
    if (entry === keep || !(entry.startsWith(`${name}-`) || entry.startsWith(`.${name}-build-`))) continue;
    const full = path.join(cacheDir, entry);
    try {
      if (fs.statSync(full).mtimeMs < cutoff) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}

async function build(spec, salt) {
  const esbuild = require('esbuild');
  fs.mkdirSync(spec.cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(spec.cacheDir, `.${spec.name}-build-`));
  const sources = new Map();
  const record = {
    name: 'hilum-record-sources',
    setup(b) {
      b.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        const contents = fs.readFileSync(args.path);
        sources.set(path.relative(spec.root, args.path).split(path.sep).join('/'), contents);
        return { contents, loader: 'default' };
      });
    },
  };
  try {
    await esbuild.build({
      absWorkingDir: spec.root,
      entryPoints: Object.fromEntries(Object.entries(spec.entries).map(([out, src]) => [out, path.join(spec.root, src)])),
      outdir: tmp,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: spec.external ?? [],
      sourcemap: true,
      logLevel: 'silent',
      plugins: [record],
    });
    const sorted = [...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const hash = digest(salt, sorted);
    const dir = path.join(spec.cacheDir, `${spec.name}-${hash}`);
    try {
      fs.renameSync(tmp, dir);
    } catch {
      // Another process built the same sources first: its bundle is the same.
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(dir)) throw new Error('bundle directory missing');
    }
    writeAtomically(path.join(spec.cacheDir, `${spec.name}.json`), JSON.stringify({ salt, hash, inputs: sorted.map(([file]) => file) }));
    prune(spec.cacheDir, spec.name, path.basename(dir));
    return { dir, built: true };
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The folder holding `<entry>.js` for each entry, built now if the cache has
 * no bundle of the current sources; undefined when it cannot be built.
 * spec: { root, cacheDir, name, entries: { outName: 'relative/src.ts' }, external?: string[] }
 */
async function loadBundle(spec) {
  try {
    const salt = saltOf(spec);
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(spec.cacheDir, `${spec.name}.json`), 'utf8'));
      if (manifest.salt === salt && Array.isArray(manifest.inputs)) {
        const hash = digest(salt, currentSources(spec.root, manifest.inputs));
        const dir = path.join(spec.cacheDir, `${spec.name}-${hash}`);
        if (hash === manifest.hash && Object.keys(spec.entries).every((out) => fs.existsSync(path.join(dir, `${out}.js`)))) return { dir, built: false };
      }
    } catch {
      // No manifest yet, or a source it lists is gone: build.
    }
    return await build(spec, salt);
  } catch {
    return undefined;
  }
}

module.exports = { loadBundle };
