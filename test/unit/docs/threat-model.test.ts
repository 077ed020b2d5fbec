/**
 * The threat model names, for every control, the tests that prove it. A renamed
 * or deleted test would leave the page claiming a proof that no longer exists.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '../../..');
const page = readFileSync(join(root, 'docs/threat-model.md'), 'utf8');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? testFiles(join(dir, entry.name)) : entry.name.endsWith('.test.ts') ? [relative(root, join(dir, entry.name))] : [],
  );
}

describe('docs/threat-model.md', () => {
  const named = [...page.matchAll(/`([\w./-]+\.test\.ts)`/g)].map((m) => m[1] as string);
  const existing = testFiles(join(root, 'test'));

  it('names tests', () => {
    expect(named.length).toBeGreaterThan(20);
  });

  it.each(named)('names %s, which exists', (name) => {
    const found = name.includes('/') ? existsSync(join(root, name)) : existing.some((path) => path.endsWith(`/${name}`));
    expect(found).toBe(true);
  });

  it('names a proving test in every row of the controls table', () => {
    const table = page.slice(page.indexOf('<!-- controls:begin -->'), page.indexOf('<!-- controls:end -->'));
    const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| attack') && !line.startsWith('| ---'));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(row.split(' | ').pop()).toMatch(/\.test\.ts`/);
  });
});
