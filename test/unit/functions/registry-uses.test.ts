/**
 * Locally every handler shares one process and so one merged environment: a
 * function that reads a resource its registry entry does not declare works in
 * `npm start` and fails in AWS (no variable, no IAM grant). This test reads each
 * handler's source and the modules it imports, and checks every resource getter
 * it reaches against what the registry grants it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DEPLOY_FUNCTIONS, FUNCTIONS, environmentNamesFor, FunctionSpec } from '../../../functions/registry';
import { ENV } from '../../../layers/common/env-names';

const ROOT = resolve(__dirname, '../../..');
/** Modules that define the getters (they mention every resource) rather than use them. */
const DEFINITIONS = new Set([
  'layers/services/commons-context.ts',
  'layers/services/qa-context.ts',
  'layers/common/config.ts',
  'layers/common/env-names.ts',
]);

const USES: readonly { pattern: RegExp; needs: string; granted: (spec: FunctionSpec) => boolean }[] = [
  {
    pattern:
      /\b(intakeRepository|publicationRepository|projectRepository|accessRepository|releaseRepository|studyIndexStore|qaRepository|auditLog|auditHistory)\(\)/,
    needs: 'the catalog table',
    granted: (s) => !!s.table,
  },
  { pattern: /\bbuckets\.intake\(\)/, needs: 'the intake bucket', granted: (s) => !!s.buckets.intake },
  { pattern: /\bbuckets\.released\(\)/, needs: 'the released bucket', granted: (s) => !!s.buckets.released },
  { pattern: /\bbuckets\.quarantine\(\)/, needs: 'the quarantine bucket', granted: (s) => !!s.buckets.quarantine },
  { pattern: /\b(deidKeyFor|currentDeidKey)\(/, needs: "the project keys' values", granted: (s) => s.deidKeys === 'read' },
  { pattern: /\bcurrentDeidKeyVersion\(/, needs: "the project keys' versions", granted: (s) => s.deidKeys === 'describe' },
  { pattern: /\bcreateDeidKey\(/, needs: 'creating project keys', granted: (s) => s.deidKeys === 'create' },
  { pattern: /\bpipelineEvents\(\)/, needs: 'the pipeline event bus', granted: (s) => !!s.putsEvents },
];

function moduleClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(join(ROOT, file), 'utf8');
    // Type-only imports bring no code along.
    for (const [, typeOnly, spec] of source.matchAll(/(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.{1,2}\/[^']+)'/g)) {
      if (typeOnly) continue;
      const base = resolve(dirname(join(ROOT, file)), spec!);
      const found = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      if (found) visit(relative(ROOT, found));
    }
  };
  visit(entry);
  return [...seen];
}

describe('every function is granted the resources its code reaches', () => {
  it.each([...Object.values(FUNCTIONS), ...Object.values(DEPLOY_FUNCTIONS)].map((spec) => [spec.id, spec] as const))('%s', (_id, spec) => {
    const missing = new Set<string>();
    const envNames = new Set<string>(environmentNamesFor(spec));
    for (const file of moduleClosure(spec.entry)) {
      if (DEFINITIONS.has(file)) continue;
      const source = readFileSync(join(ROOT, file), 'utf8');
      for (const use of USES) if (use.pattern.test(source) && !use.granted(spec)) missing.add(`${use.needs} (used in ${file})`);
      for (const [, key] of source.matchAll(/requireEnv\(ENV\.(\w+)\)/g)) {
        const name = ENV[key as keyof typeof ENV];
        if (name && !envNames.has(name)) missing.add(`${name} (read in ${file})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});
