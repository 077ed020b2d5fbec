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
 * hook), so the hash covers exactly the bytes that went into it. A start first
 * compares each recorded source's status (size, times, inode) with the one
 * taken when its bytes were last hashed, as git does for its index; on any
 * difference, or a change too close to that moment to trust, it re-reads the
 * sources and recomputes the hash. Any change (including a new import, which
 * changes the importing file) gives another hash and a rebuild. `npm ci` stays
 * the only setup step: the first run builds. Each entry's `<out>.js` is a stub
 * that loads `<out>.bundle.js` through V8's code cache (code-cache.js).
 * Anything going wrong returns undefined and the caller falls back to tsx.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** Bumped when the build options or the folder's layout below change meaning. */
const FORMAT = 3;
/** Loads a bundle through V8's code cache; each entry's stub requires it by a path relative to the bundle folder. */
const CODE_CACHE = path.join(__dirname, 'code-cache.js');
/**
 * A source whose status changed this close to the moment its stats were taken
 * could change again within the file system's timestamp granularity without
 * its stats changing ("racy" in git's words): it is hashed, not trusted.
 */
const RACY_MS = 2000;

function esbuildVersion() {
  return JSON.parse(fs.readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
}

/** What, besides the sources, decides the bundle's bytes. */
function saltOf(spec) {
  return JSON.stringify({
    format: FORMAT,
    esbuild: esbuildVersion(),
    node: process.versions.node.split('.')[0],
    entries: spec.entries,
    external: spec.external ?? [],
  });
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

/** What a source's status says of its content: size, modification and change times, inode (throws if it is gone). */
function statsOf(root, inputs) {
  return inputs.map((file) => {
    const s = fs.statSync(path.join(root, file));
    return [s.size, s.mtimeMs, s.ctimeMs, s.ino];
  });
}

/**
 * True when every source's status is the one recorded when its bytes were last
 * hashed, and none had changed within RACY_MS of that moment. Statting the
 * sources takes well under a millisecond; reading and hashing them, several.
 */
function unchangedSinceHashed(spec, manifest) {
  const { root } = spec;
  if (!Array.isArray(manifest.stats) || manifest.stats.length !== manifest.inputs.length || typeof manifest.statsTakenAt !== 'number')
    return false;
  const now = statsOf(root, manifest.inputs);
  const racyMs = spec.racyMs ?? RACY_MS;
  return now.every((stat, i) => stat[2] < manifest.statsTakenAt - racyMs && JSON.stringify(stat) === JSON.stringify(manifest.stats[i]));
}

/** hashedAt: a time before the sources' bytes were read, so a change while they were read counts as racy. */
function writeManifest(spec, salt, hash, inputs, hashedAt) {
  const statsTakenAt = hashedAt;
  const fast = fastSalt(spec);
  writeAtomically(
    path.join(spec.cacheDir, `${spec.name}.json`),
    JSON.stringify({ salt, fastSalt: fast, hash, inputs, stats: statsOf(spec.root, inputs), statsTakenAt }),
  );
}

/** The salt without the esbuild version (which takes resolving and reading a package.json): esbuild's package.json is a tracked input instead. */
function fastSalt(spec) {
  return JSON.stringify({
    format: FORMAT,
    node: process.versions.node.split('.')[0],
    entries: spec.entries,
    external: spec.external ?? [],
  });
}

/** Each entry's `<out>.js`: a stub that loads `<out>.bundle.js` through the code cache. */
function writeStubs(spec, dir) {
  const loader = path.relative(dir, CODE_CACHE).split(path.sep).join('/');
  for (const out of Object.keys(spec.entries)) {
    fs.writeFileSync(
      path.join(dir, `${out}.js`),
      `'use strict';\n// ${out}.bundle.js, loaded through V8's code cache (cli/bin/code-cache.js).\n` +
        `module.exports = require(${JSON.stringify(loader.startsWith('.') ? loader : `./${loader}`)}).requireWithCodeCache(require('node:path').join(__dirname, ${JSON.stringify(`${out}.bundle.js`)}));\n`,
    );
  }
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
  const startedAt = Date.now();
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
      entryPoints: Object.fromEntries(Object.entries(spec.entries).map(([out, src]) => [`${out}.bundle`, path.join(spec.root, src)])),
      outdir: tmp,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      // The node that builds the bundle runs it: the salt holds its major.
      target: `node${process.versions.node.split('.')[0]}`,
      external: spec.external ?? [],
      sourcemap: true,
      logLevel: 'silent',
      plugins: [record],
    });
    const esbuildPackage = path.relative(spec.root, require.resolve('esbuild/package.json')).split(path.sep).join('/');
    sources.set(esbuildPackage, fs.readFileSync(path.join(spec.root, esbuildPackage)));
    const sorted = [...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const hash = digest(salt, sorted);
    const dir = path.join(spec.cacheDir, `${spec.name}-${hash}`);
    writeStubs(spec, tmp);
    try {
      fs.renameSync(tmp, dir);
    } catch {
      // Another process built the same sources first: its bundle is the same.
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(dir)) throw new Error('bundle directory missing');
    }
    writeManifest(
      spec,
      salt,
      hash,
      sorted.map(([file]) => file),
      startedAt,
    );
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
 * spec: { root, cacheDir, name, entries: { outName: 'relative/src.ts' }, external?: string[], racyMs?: number (tests) }
 */
async function loadBundle(spec) {
  try {
    const complete = (dir) =>
      Object.keys(spec.entries).every(
        (out) => fs.existsSync(path.join(dir, `${out}.js`)) && fs.existsSync(path.join(dir, `${out}.bundle.js`)),
      );
    let manifest;
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(spec.cacheDir, `${spec.name}.json`), 'utf8'));
    } catch {
      // No manifest yet: build.
    }
    try {
      if (manifest && Array.isArray(manifest.inputs) && manifest.fastSalt === fastSalt(spec) && unchangedSinceHashed(spec, manifest)) {
        const dir = path.join(spec.cacheDir, `${spec.name}-${manifest.hash}`);
        if (complete(dir)) return { dir, built: false };
      }
    } catch {
      // A source it lists is gone: check by content below.
    }
    const salt = saltOf(spec);
    try {
      if (manifest && manifest.salt === salt && Array.isArray(manifest.inputs)) {
        const hashedAt = Date.now();
        const hash = digest(salt, currentSources(spec.root, manifest.inputs));
        const dir = path.join(spec.cacheDir, `${spec.name}-${hash}`);
        if (hash === manifest.hash && complete(dir)) {
          // Same bytes, new stats (a checkout, a touch, or a change too recent to trust): record them for the fast check.
          writeManifest(spec, salt, hash, manifest.inputs, hashedAt);
          return { dir, built: false };
        }
      }
    } catch {
      // A source it lists is gone: build.
    }
    return await build(spec, salt);
  } catch {
    return undefined;
  }
}

module.exports = { loadBundle };
