/**
 * A function's bundle should carry what its handler reaches, not what sits beside it
 * (issue 14: no bundle larger than before the reshaping). esbuild drops unused
 * functions and constants but never the unused methods of a class nor the unused
 * fields of an object literal, so each storage class holds one aggregate and the
 * route catalogue that every API handler bundles for its gate holds no documentation
 * text. Each bundle below is built as HilumFunction builds it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ESBUILD_TARGET } from '../../infra/constructs/hilum-function';
import { FUNCTIONS, type FunctionKey } from '../../functions/registry';
import { ROUTE_CATALOGUE } from '../../layers/access';
import { ROUTE_SUMMARIES } from '../../layers/access/route-summaries';

const REPO_ROOT = path.resolve(__dirname, '../..');
const ESBUILD = path.join(REPO_ROOT, 'node_modules/.bin/esbuild');

const built = new Map<FunctionKey, string>();

/** The minified bundle of a function, as HilumFunction's bundling options make it (source map aside). */
function bundleOf(key: FunctionKey): string {
  const cached = built.get(key);
  if (cached !== undefined) return cached;
  const run = spawnSync(
    ESBUILD,
    [FUNCTIONS[key].entry, '--bundle', `--target=${ESBUILD_TARGET}`, '--platform=node', '--format=cjs', '--minify', '--log-level=error'],
    { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.status !== 0) throw new Error(`esbuild failed for ${key}: ${run.stderr}`);
  built.set(key, run.stdout);
  return run.stdout;
}

describe('function bundles carry only what their handlers reach', () => {
  it('an API handler bundles the route catalogue for its gate, without the routes’ summaries', () => {
    const code = bundleOf('drsServiceInfo');
    expect(code).toContain(ROUTE_CATALOGUE.auditLog.path);
    // As string literals: a one-word summary (`grants`) is also a word of other code.
    const carried = Object.entries(ROUTE_SUMMARIES).filter(([, summary]) =>
      ['"', "'", '`'].some((q) => code.includes(`${q}${summary}${q}`)),
    );
    expect(carried).toEqual([]);
  });

  it('a handler of access requests bundles no storage of projects and cases', () => {
    const code = bundleOf('listAccessRequests');
    expect(code).toContain('listRequestsOf(');
    expect(code).not.toContain('setProjectSites(');
    expect(code).not.toContain('putCases(');
  });

  it('a handler of access requests bundles the keys of its items only', () => {
    const code = bundleOf('listAccessRequests');
    expect(code).toContain('ACCESSREQ#');
    for (const otherItem of ['SUBMISSION#', 'SERIESUID#', 'OBJECT#', 'RELEASE#', 'PROJECT#']) expect(code).not.toContain(otherItem);
  });

  it('a handler that only appends audit events bundles no reading of the audit log', () => {
    const code = bundleOf('drsServiceInfo');
    expect(code).toContain('AUDIT#');
    expect(code).not.toContain('forTarget(');
    expect(code).not.toContain('InvalidAuditCursor');
  });
});
