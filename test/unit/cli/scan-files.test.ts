import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { scanFiles, scanFilesSync } from '../../../cli/lib/scan-files';

describe('scanFiles and scanFilesSync', () => {
  const root = mkdtempSync(join(tmpdir(), 'hilum-scan-'));
  const files: Record<string, number> = {
    'b/2.dcm': 2,
    'b/10.dcm': 10,
    'a.dcm': 1,
    'b/c/d/deep.dcm': 4,
    'z/.hidden.dcm': 3,
    '.state.json': 5,
  };
  for (const [relative, size] of Object.entries(files)) {
    mkdirSync(dirname(join(root, relative)), { recursive: true });
    writeFileSync(join(root, relative), Buffer.alloc(size));
  }
  mkdirSync(join(root, '.hidden-folder'));
  writeFileSync(join(root, '.hidden-folder/x.dcm'), 'x');

  const expected = [
    { path: join(root, 'a.dcm'), relativePath: 'a.dcm', size: 1 },
    { path: join(root, 'b/10.dcm'), relativePath: 'b/10.dcm', size: 10 },
    { path: join(root, 'b/2.dcm'), relativePath: 'b/2.dcm', size: 2 },
    { path: join(root, 'b/c/d/deep.dcm'), relativePath: 'b/c/d/deep.dcm', size: 4 },
  ];

  it('finds every visible regular file, nested at any depth, sorted by relative path, with sizes', async () => {
    expect(await scanFiles(root)).toEqual(expected);
    expect(scanFilesSync(root)).toEqual(expected);
  });

  it('takes a single file as the whole input', async () => {
    const one = [{ path: join(root, 'b/2.dcm'), relativePath: '2.dcm', size: 2 }];
    expect(await scanFiles(join(root, 'b/2.dcm'))).toEqual(one);
    expect(scanFilesSync(join(root, 'b/2.dcm'))).toEqual(one);
  });

  it('fails on a missing input', async () => {
    await expect(scanFiles(join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(() => scanFilesSync(join(root, 'missing'))).toThrow(/ENOENT/);
  });
});
