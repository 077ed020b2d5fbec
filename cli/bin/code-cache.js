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
 * another V8 or other flags (the file name carries v8.cachedDataVersionTag(),
 * which covers version and flags, so runs with and without --no-opt keep one
 * cache each), and a rejected or unreadable cache means a normal compile and a
 * new cache. Writes are atomic (rename), so racing processes are harmless.
 */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

function cacheFileFor(file) {
  return `${file}.${v8.cachedDataVersionTag()}.v8cache`;
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
