import { registerHooks } from 'node:module';

/**
 * Packages whose `exports` answer `import` only (middy 7: `@middy/core` and `@middy/util`).
 *
 * Lambda never notices: esbuild bundles the handlers and resolves their `import`
 * statements with the import condition. The local runtime runs the same handlers as
 * CommonJS (tsx compiles them, and middy's own ES module files, to `require()`), and
 * `require()` resolves with the require condition, which these packages do not export,
 * so every handler would fail to load. This resolve hook adds the import condition for
 * these packages only; nothing else resolves differently. Not under jest: its sandbox
 * has its own resolver (where `moduleNameMapper` in jest.config.js does the same), and
 * jest 30 refuses `module.registerHooks` outright.
 */
const IMPORT_ONLY = /^@middy\//;

let registered = false;

export function resolveImportOnlyPackages(): void {
  if (registered || process.env.JEST_WORKER_ID !== undefined) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const conditions = context.conditions ?? [];
      if (!IMPORT_ONLY.test(specifier) || conditions.includes('import')) return nextResolve(specifier, context);
      return nextResolve(specifier, { ...context, conditions: [...conditions, 'import'] });
    },
  });
}
