/**
 * What makes `hilum upload` cheap per file, each without dropping anything it does for the site:
 * it starts from a cached bundle, not through tsx; the site-side check's reading of each file also
 * groups the files by study.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROFILE } from '../../../layers/dicom';
import { DEFAULT_QA_CONFIG } from '../../../layers/qa';
import { checkBeforeUpload, groupByStudy } from '../../../cli/lib/site-prepare';
import type { FoundFile } from '../../../cli/lib/scan-files';
import { makeDicom } from '../../support/synthetic-dicom';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hilum-upload-client-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function folderOf(files: Record<string, Uint8Array>): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(dir, name);
    await writeFile(path, bytes);
    found.push({ path, relativePath: name, size: bytes.byteLength });
  }
  return found;
}

describe('the start of hilum upload', () => {
  it('runs the command from its bundle, without loading tsx', async () => {
    // Reports, as the process exits, whether any module of tsx was loaded.
    const probe = join(dir, 'probe.js');
    await writeFile(
      probe,
      `process.on('exit', () => process.stderr.write('tsx loaded: ' + Object.keys(require.cache).some((m) => m.includes('/node_modules/tsx/')) + '\\n'));\n`,
    );
    const cli = join(__dirname, '../../../cli/bin/hilum.js');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--require', probe, cli, 'upload', '--help'], {
      env: { ...process.env, HILUM_UPLOAD_BUNDLE: '' },
    });
    expect(stdout).toContain('Usage: hilum upload FOLDER');
    expect(stderr).toContain('tsx loaded: false');
  });
});

describe('the site-side check before upload', () => {
  it('groups the files by study from its own reading of each file, as groupByStudy counts them', async () => {
    const study = (n: number) => ({
      studyInstanceUid: `1.2.826.0.1.3680043.8.498.77.${n}`,
      seriesInstanceUid: `1.2.826.0.1.3680043.8.498.77.${n}.1`,
    });
    const files = await folderOf({
      'a1.dcm': makeDicom({ modality: 'CT', rows: 16, columns: 16, instanceNumber: 1, ...study(1) }),
      'a2.dcm': makeDicom({ modality: 'CT', rows: 16, columns: 16, instanceNumber: 2, ...study(1) }),
      'b1.dcm': makeDicom({ modality: 'CT', rows: 16, columns: 16, instanceNumber: 1, ...study(2) }),
      'broken.dcm': Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from('not a data set')]),
    });
    const expected = await groupByStudy(files);
    expect([...expected.values()].sort()).toEqual([1, 1, 2]);

    const { studies } = await checkBeforeUpload(files, DEFAULT_QA_CONFIG, DEFAULT_PROFILE, true);
    expect(studies).toEqual(expected);
  });
});
