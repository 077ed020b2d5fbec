/**
 * docs/clinical-dictionary.md is generated from the dictionary; this test fails when the page is
 * stale. HILUM_WRITE_DOCS=1 rewrites it (then review and commit the page).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_DICTIONARY, renderDictionaryPage } from '../../../layers/clinical';

const PAGE = join(__dirname, '../../../docs/clinical-dictionary.md');

describe('docs/clinical-dictionary.md', () => {
  it('is what the dictionary renders (HILUM_WRITE_DOCS=1 npx jest test/unit/clinical/dictionary-doc.test.ts rewrites it)', () => {
    const rendered = renderDictionaryPage(BASE_DICTIONARY);
    if (process.env.HILUM_WRITE_DOCS === '1') writeFileSync(PAGE, rendered);
    expect(readFileSync(PAGE, 'utf8')).toBe(rendered);
  });

  it('lists every node and every property', () => {
    const page = renderDictionaryPage(BASE_DICTIONARY);
    for (const n of BASE_DICTIONARY.nodes) {
      expect(page).toContain(`## ${n.node}\n`);
      for (const p of n.properties) expect(page).toContain(`| \`${p.name}\` |`);
    }
  });
});
