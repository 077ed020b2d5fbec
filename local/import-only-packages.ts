import { registerHooks } from 'node:module';

/**
 * Packages whose `exports` answer `import` only (middy 7: `@middy/core` and `@middy/util`).
 *
 * Lambda never notices: esbuild bundles the handlers and resolves their `import`
 * statements with the import condition. The local runtime runs the same handlers as
 * CommonJS (tsx compiles them, and middy's own ES module files, to `require()`), and
 * `require()` resolves with the require condition, which these packages do not export,
 * so every handler would fail to load. This resolve hook adds the import condition for
 * these packages only; nothing else resolves differently. Inside jest's sandbox, which
 * has its own resolver (`moduleNameMapper` in jest.config.js does the same there), jest
 * 30 refuses `module.registerHooks` with an error: that refusal is expected. A process
 * that jest merely started (a spawned `hilum start`) registers the hook as any other.
 */
const IMPORT_ONLY = /^@middy\//;

let registered = false;

export function resolveImportOnlyPackages(): void {
  if (registered) return;
  registered = true;
  try {
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const conditions = context.conditions ?? [];
        if (!IMPORT_ONLY.test(specifier) || conditions.includes('import')) return nextResolve(specifier, context);
        return nextResolve(specifier, { ...context, conditions: [...conditions, 'import'] });
      },
    });
  } catch (error) {
    if (process.env.JEST_WORKER_ID === undefined) throw error;
  }
}
