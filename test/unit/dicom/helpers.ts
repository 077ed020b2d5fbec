/** Shared fixture access for the DICOM unit tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const FIXTURES = join(__dirname, '../../fixtures/dicom');

export function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, path)));
}

/** Fixture paths (relative to FIXTURES) under the given folders. */
export function fixturesIn(...folders: string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : name.endsWith('.dcm') ? [relative(FIXTURES, full)] : [];
    });
  return folders.flatMap((f) => walk(join(FIXTURES, f))).sort();
}

/** The fixtures a de-identifier must handle: every readable class of the corpus. */
export const GOOD_FIXTURES = fixturesIn('transfer-syntax', 'ct', 'chest-xray', 'patient-77654033', 'charset', 'sequences', 'graphics');

export const SECRET = { secret: 'unit-test-secret', project: 'project-a', site: 'site-a' };

// dcmtk is the reference reader: the tests need it (.ci/run installs it); say so plainly when it is missing.
if (spawnSync('dcmdump', ['--version'], { encoding: 'utf8' }).error !== undefined) {
  throw new Error('dcmdump is not installed: apt-get install -y dcmtk (the DICOM tests check output with it)');
}

/** Runs dcmdump on bytes; returns exit status, stdout and stderr. */
export function dcmdump(bytes: Uint8Array): { status: number | null; stdout: string; stderr: string } {
  const folder = mkdtempSync(join(tmpdir(), 'hilum-dcmdump-'));
  try {
    const file = join(folder, 'out.dcm');
    writeFileSync(file, bytes);
    const r = spawnSync('dcmdump', ['+E', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function includesBytes(haystack: Uint8Array, text: string): boolean {
  return Buffer.from(haystack).includes(Buffer.from(text, 'utf8')) || Buffer.from(haystack).includes(Buffer.from(text, 'latin1'));
}
