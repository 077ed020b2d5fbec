import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeTemplate } from '../../../local/template/synthesize';
import {
  readCachedTemplate,
  TEMPLATES_KEPT,
  templateCacheDir,
  templateCacheKey,
  writeCachedTemplate,
} from '../../../local/template/template-cache';

/** A repository with a CDK app that counts its syntheses in a global and makes one resource per `resources.json` entry. */
function fakeRepository(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hilum-template-cache-'));
  for (const folder of ['infra', 'functions', 'layers/search', 'workflows', 'cli']) mkdirSync(path.join(root, folder), { recursive: true });
  writeFileSync(path.join(root, 'cdk.json'), '{"context":{}}');
  writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');
  writeFileSync(path.join(root, 'infra', 'resources.json'), '["Bucket"]');
  writeFileSync(
    path.join(root, 'infra', 'app.js'),
    `exports.createCommonsApp = () => {
       globalThis.__hilumSyntheses = (globalThis.__hilumSyntheses ?? 0) + 1;
       const names = JSON.parse(require('node:fs').readFileSync(__dirname + '/resources.json', 'utf8'));
       const template = { Resources: Object.fromEntries(names.map((n) => [n, { Type: 'AWS::S3::Bucket' }])) };
       return { app: { synth: () => ({ getStackByName: () => ({ template }) }) }, stack: { stackName: 'Hilum' } };
     };`,
  );
  writeFileSync(path.join(root, 'layers', 'search', 'rank.ts'), 'export const rank = 1;');
  writeFileSync(path.join(root, 'cli', 'main.ts'), 'export const main = 1;');
  return root;
}

const syntheses = (): number => (globalThis as { __hilumSyntheses?: number }).__hilumSyntheses ?? 0;

describe('the local template cache', () => {
  let root: string;
  let cache: string;
  const saved = process.env.HILUM_TEMPLATE_CACHE;
  beforeEach(() => {
    root = fakeRepository();
    cache = mkdtempSync(path.join(os.tmpdir(), 'hilum-template-cache-dir-'));
    process.env.HILUM_TEMPLATE_CACHE = cache;
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
    if (saved === undefined) delete process.env.HILUM_TEMPLATE_CACHE;
    else process.env.HILUM_TEMPLATE_CACHE = saved;
  });

  it('synthesizes once, then starts from the kept template while no input changed', async () => {
    const before = syntheses();
    const first = await synthesizeTemplate(root);
    const second = await synthesizeTemplate(root);
    expect(syntheses() - before).toBe(1);
    expect(second).toEqual(first);
    expect(Object.keys(second.Resources)).toEqual(['Bucket']);
  });

  it('synthesizes again when a source of infra/ changes, and gives the new template', async () => {
    await synthesizeTemplate(root);
    const before = syntheses();
    writeFileSync(path.join(root, 'infra', 'resources.json'), '["Bucket","Table"]');
    const changed = await synthesizeTemplate(root);
    expect(syntheses() - before).toBe(1);
    expect(Object.keys(changed.Resources)).toEqual(['Bucket', 'Table']);
  });

  it.each([
    ['a layer the stack imports', 'layers/search/rank.ts', 'export const rank = 2;'],
    ["cdk.json's context or feature flags", 'cdk.json', '{"context":{"@aws-cdk/core:newStyleStackSynthesis":true}}'],
    ['the locked dependency versions', 'package-lock.json', '{"lockfileVersion":3,"packages":{}}'],
    ['a new handler file', 'functions/new-route.ts', 'export const handler = 1;'],
  ])('gives another key when %s changes', async (_what, file, content) => {
    const before = await templateCacheKey(root);
    writeFileSync(path.join(root, file), content);
    expect(await templateCacheKey(root)).not.toBe(before);
  });

  it('keeps the key when only files synthesis does not read change (the CLI, docs)', async () => {
    const before = await templateCacheKey(root);
    writeFileSync(path.join(root, 'cli', 'main.ts'), 'export const main = 2;');
    writeFileSync(path.join(root, 'layers', 'search', 'README.md'), '# search');
    expect(await templateCacheKey(root)).toBe(before);
  });

  it('synthesizes every time when the cache is turned off', async () => {
    process.env.HILUM_TEMPLATE_CACHE = 'off';
    const before = syntheses();
    await synthesizeTemplate(root);
    await synthesizeTemplate(root);
    expect(syntheses() - before).toBe(2);
    expect(templateCacheDir()).toBeUndefined();
  });

  it('synthesizes again over a template cut short by a crash', async () => {
    const key = await templateCacheKey(root);
    writeFileSync(path.join(cache, `${key}.json`), '{"Resources":{"Buck');
    expect(await readCachedTemplate(cache, key)).toBeUndefined();
    const before = syntheses();
    expect(Object.keys((await synthesizeTemplate(root)).Resources)).toEqual(['Bucket']);
    expect(syntheses() - before).toBe(1);
  });

  it(`keeps the newest ${TEMPLATES_KEPT} templates and removes abandoned writes`, async () => {
    const old = Date.now() / 1000 - 3600;
    for (let i = 0; i < TEMPLATES_KEPT + 2; i++) {
      await writeCachedTemplate(cache, `key${i}`, { Resources: {} });
      utimesSync(path.join(cache, `key${i}.json`), old + i, old + i);
    }
    writeFileSync(path.join(cache, 'key9.123.456.tmp'), '{');
    utimesSync(path.join(cache, 'key9.123.456.tmp'), old, old);
    await writeCachedTemplate(cache, 'newest', { Resources: {} });
    expect(readdirSync(cache).sort()).toEqual(['key3.json', 'key4.json', 'key5.json', 'newest.json']);
  });

  it('lives under XDG_CACHE_HOME unless HILUM_TEMPLATE_CACHE names a folder', () => {
    expect(templateCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/hilum/templates');
    expect(templateCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/hilum/templates');
    expect(templateCacheDir({ HILUM_TEMPLATE_CACHE: '/t', HOME: '/home/u' })).toBe('/t');
  });
});
