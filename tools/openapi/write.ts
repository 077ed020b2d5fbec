import { readFileSync, writeFileSync } from 'node:fs';
import { resolveImportOnlyPackages } from '../../local/import-only-packages';

// Before any handler module loads: middy 7 exports `import` only (local/import-only-packages.ts).
resolveImportOnlyPackages();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { API_DESCRIPTION_PATH, apiDescriptionText } = require('./document') as typeof import('./document');

/**
 * `npm run openapi`: writes docs/openapi.json from the handlers' schemas. `--check` writes
 * nothing and exits 1 when the committed file is not what the handlers describe.
 */
const text = apiDescriptionText();
if (process.argv.includes('--check')) {
  const current = readFileSync(API_DESCRIPTION_PATH, 'utf8');
  if (current !== text) {
    console.error('docs/openapi.json is stale: run npm run openapi');
    process.exit(1);
  }
} else {
  writeFileSync(API_DESCRIPTION_PATH, text);
  console.log(`wrote docs/openapi.json (${Buffer.byteLength(text)} bytes)`);
}
