/**
 * The bundle budget (BUNDLE_BUDGET_BYTES, infra/constructs/hilum-function.ts): esbuild's own
 * size summary is off, so this check is what stops a synth whose bundle grew past the budget;
 * and the budget holds the largest function of today.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE_BUDGET_BYTES, ESBUILD_TARGET, bundleBudgetCommand } from '../../infra/constructs/hilum-function';
import { OCR_EXTERNAL_MODULES } from '../../infra/constructs/ocr-assets';
import { FUNCTIONS } from '../../functions/registry';

const REPO_ROOT = path.resolve(__dirname, '../..');

function budgetVerdict(bytes: number): { status: number | null; stderr: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hilum-budget-'));
  try {
    writeFileSync(path.join(dir, 'index.js'), Buffer.alloc(bytes, 0x20));
    const run = spawnSync('bash', ['-c', bundleBudgetCommand(dir, 'Probe')], { encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the bundle budget', () => {
  it('lets a bundle at the budget through and fails the bundling of one a byte above, naming the function', () => {
    expect(budgetVerdict(BUNDLE_BUDGET_BYTES).status).toBe(0);
    const over = budgetVerdict(BUNDLE_BUDGET_BYTES + 1);
    expect(over.status).toBe(1);
    expect(over.stderr).toContain('the Probe bundle weighs more than');
  });

  it('holds the largest bundle of today (IngestObject, 2.47 MB in December 2026)', () => {
    const run = spawnSync(
      path.join(REPO_ROOT, 'node_modules/.bin/esbuild'),
      [
        FUNCTIONS.ingestObject.entry,
        '--bundle',
        `--target=${ESBUILD_TARGET}`,
        '--platform=node',
        '--format=cjs',
        '--minify',
        '--log-level=error',
        ...OCR_EXTERNAL_MODULES.map((m) => `--external:${m}`),
      ],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(run.status).toBe(0);
    expect(run.stdout.length).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  });
});
