/**
 * docs/architecture.md is the map a newcomer reads first; a file moved or renamed without it
 * would leave the page pointing at nothing. Every repository path it writes in backticks, every
 * bare file name it names and every page it links must exist.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '../../..');
const PAGE = 'docs/architecture.md';

const SKIPPED = new Set(['node_modules', '.git', 'cdk.out', '.hilum', 'coverage']);
const TOP_LEVEL = new Set(readdirSync(root).filter((name) => !SKIPPED.has(name)));
const SOURCE_NAME = /^[\w.-]+\.(ts|js|mjs|json|md)$/;

function repositoryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? repositoryFiles(path) : [relative(root, path)];
  });
}

interface Reference {
  readonly kind: 'path' | 'file name' | 'link';
  readonly text: string;
}

/**
 * What a page claims exists: a backticked token whose first segment is a top-level entry of the
 * repository (`layers/dicom/index.ts`, `infra/`, `eslint.config.mjs`, `functions/ingest/*`), a
 * backticked bare source file name (`table-io.ts`), and a relative Markdown link (`(catalog.md)`).
 * Tokens with a space, a placeholder or a URL scheme are code or S3 keys, not paths.
 */
export function referencesOf(page: string): Reference[] {
  const found: Reference[] = [];
  for (const [, token] of page.matchAll(/`([^`\n]+)`/g)) {
    const text = token as string;
    if (/[\s{}<>:]/.test(text)) continue;
    const first = text.split('/')[0] as string;
    // A slashed source file name is a path even under a misspelt top folder (`layer/dicom/x.ts`).
    const slashedSource = text.includes('/') && SOURCE_NAME.test(text.slice(text.lastIndexOf('/') + 1));
    if (slashedSource || (text.includes('/') ? TOP_LEVEL.has(first) : TOP_LEVEL.has(text))) found.push({ kind: 'path', text });
    else if (SOURCE_NAME.test(text)) found.push({ kind: 'file name', text });
  }
  for (const [, target] of page.matchAll(/\]\(([^)\s]+)\)/g)) {
    const text = (target as string).split('#')[0] as string;
    if (text && !/^[a-z]+:/.test(text)) found.push({ kind: 'link', text });
  }
  return found;
}

/** Whether a reference names something in the repository (`dir` is the page's folder, for links). */
export function exists(reference: Reference, files: readonly string[], dir: string): boolean {
  switch (reference.kind) {
    case 'path': {
      const wildcard = reference.text.indexOf('*');
      const path = wildcard < 0 ? reference.text : reference.text.slice(0, reference.text.lastIndexOf('/', wildcard) + 1);
      return existsSync(join(root, path));
    }
    case 'file name':
      return files.some((file) => file === reference.text || file.endsWith(`/${reference.text}`));
    case 'link':
      return existsSync(join(root, dir, reference.text));
  }
}

describe(PAGE, () => {
  const page = readFileSync(join(root, PAGE), 'utf8');
  const files = repositoryFiles(root);
  const references = referencesOf(page);

  it('names repository paths', () => {
    expect(references.filter((reference) => reference.kind === 'path').length).toBeGreaterThan(80);
  });

  it('names only paths, file names and pages that exist', () => {
    const missing = references.filter((reference) => !exists(reference, files, 'docs'));
    expect(missing).toEqual([]);
  });

  it('has a "where does X live" table of at least 30 rows, each naming a path', () => {
    const start = page.indexOf('## Where does X live');
    expect(start).toBeGreaterThan(0);
    const section = page.slice(start, page.indexOf('\n## ', start + 1));
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| you look for') && !line.startsWith('| ---'));
    expect(rows.length).toBeGreaterThanOrEqual(30);
    for (const row of rows) expect(referencesOf(row).some((reference) => reference.kind === 'path')).toBe(true);
  });

  it('lists, as pure, exactly the layers/ folders eslint.config.mjs walls in as pure', () => {
    const config = readFileSync(join(root, 'eslint.config.mjs'), 'utf8');
    const pure = [...(config.match(/const PURE = \[([^\]]*)\]/)?.[1] ?? '').matchAll(/'([\w-]+)'/g)].map((m) => m[1]);
    expect(pure.length).toBeGreaterThan(5);
    const walls = page.slice(page.indexOf('## What may import what'));
    const row = walls.split('\n').find((line) => line.startsWith('| pure `layers/` folders')) ?? '';
    const listed = [...(row.split(' | ')[0] ?? '').matchAll(/`([\w-]+)`/g)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...pure].sort());
  });

  it('would report a moved file, a folder, a misspelt top folder, a file name and a page that do not exist', () => {
    const bogus = referencesOf(
      '`layers/dicom/deidentify/engine.ts` `layers/dicom/deidentifier.ts` `layers/nowhere/` `layer/dicom/index.ts` `no-such-module.ts` [x](no-such-page.md) `POST /releases` `intake/{submission}/{file}`',
    );
    expect(bogus.map((reference) => [reference.text, exists(reference, files, 'docs')])).toEqual([
      ['layers/dicom/deidentify/engine.ts', true],
      ['layers/dicom/deidentifier.ts', false],
      ['layers/nowhere/', false],
      ['layer/dicom/index.ts', false],
      ['no-such-module.ts', false],
      ['no-such-page.md', false],
    ]);
  });
});
