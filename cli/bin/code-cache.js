'use strict';
/**
 * require() for a large CommonJS bundle, through V8's code cache.
 *
 * Why: compiling the 0.5 MB `hilum deid` bundle was a third of the time
 * before the first file is read, in the main thread and again in each worker.
 * The first run saves V8's compiled form next to the bundle; later runs hand
 * it back to V8, which checks it and skips most of the parse.
 *
 * Never wrong, at worst slow: V8 rejects a cache made from other source bytes,
 * another V8 or other flags, and a rejected or unreadable cache means a normal
 * compile and a new cache. The file name carries the V8 version and the flags
 * the process started with (command line and NODE_OPTIONS), so differently
 * started runs keep a cache each instead of rewriting one in turn; flags set
 * later, as `hilum deid` does once its workers are up, come after the load.
 * (Not v8.cachedDataVersionTag(): loading node:v8 cost more than a millisecond
 * at every start, in every thread.) Writes are atomic (rename), so racing
 * processes are harmless.
 */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/** FNV-1a, 32 bits: a short, stable name for how V8 was started. */
function startTag() {
  const text = `${process.versions.v8}\0${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function cacheFileFor(file) {
  return `${file}.${startTag()}.v8cache`;
}

function saveCache(cacheFile, script) {
  const tmp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
  } catch {
    // A read-only cache folder: run without a cache.
    fs.rmSync(tmp, { force: true });
  }
}

/** Loads `file` as a CommonJS module (its own require, module and __dirname) and returns its exports. */
function requireWithCodeCache(file) {
  const filename = path.resolve(file);
  const cacheFile = cacheFileFor(filename);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache yet.
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(filename, 'utf8')), { filename, cachedData });
  const module = new Module(filename, null);
  module.filename = filename;
  module.paths = Module._nodeModulePaths(path.dirname(filename));
  const require = Module.createRequire(filename);
  script.runInThisContext()(module.exports, require, module, filename, path.dirname(filename));
  module.loaded = true;
  // After the top level ran: the functions it compiled are in the cache too.
  if (cachedData === undefined || script.cachedDataRejected) saveCache(cacheFile, script);
  return module.exports;
}

module.exports = { requireWithCodeCache, cacheFileFor };
