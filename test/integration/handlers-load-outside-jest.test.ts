/**
 * The local runtime loads the real handlers the way `npm start` does: CommonJS through
 * tsx, in a plain Node process, not through jest's resolver (whose moduleNameMapper
 * hides how middy 7 is exported: for `import` only). Every registry function is
 * invoked once with an empty event; it may fail on its input or configuration, but
 * never on loading its module.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FUNCTIONS } from '../../functions/registry';

const ROOT = join(__dirname, '../..');
const MARK = 'hilum-load-result ';

const PROBE = `
const { LambdaHost } = require('./local/lambda-host');
const { FUNCTIONS } = require('./functions/registry');
(async () => {
  const specs = Object.values(FUNCTIONS);
  const functions = new Map(specs.map((s) => [s.id, {
    id: s.id, logicalId: s.id, entry: s.entry, name: 'hilum-' + s.id, environment: {}, timeoutSeconds: 10, memoryMb: s.memoryMb,
    arn: 'arn:aws:lambda:us-east-1:000000000000:function:hilum-' + s.id,
  }]));
  const host = new LambdaHost({ functions, repoRoot: process.cwd() });
  const outcomes = {};
  for (const s of specs) {
    try { await host.invoke(s.id, {}); outcomes[s.id] = 'returned'; } catch (e) { outcomes[s.id] = e.name; }
  }
  process.stdout.write('\\n${MARK}' + JSON.stringify({ node: process.version, outcomes }) + '\\n');
})();
`;

it('loads every registry handler in a plain Node process through tsx, as npm start does', () => {
  // With jest's environment (JEST_WORKER_ID too), as a `hilum start` spawned by a test has it.
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', PROBE], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, AWS_REGION: 'us-east-1' },
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`the probe printed no result (exit ${String(run.status)}): ${run.stderr.slice(-2000)}`);
  const { node, outcomes } = JSON.parse(line.slice(MARK.length)) as { node: string; outcomes: Record<string, string> };
  expect(node).toBe(process.version);
  expect(Object.keys(outcomes).sort()).toEqual(
    Object.values(FUNCTIONS)
      .map((s) => s.id)
      .sort(),
  );
  const notLoaded = Object.entries(outcomes).filter(([, name]) => name.startsWith('Runtime.'));
  expect(notLoaded).toEqual([]);
});
