import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASIC_PROFILE, DEFAULT_PROFILE, deidentify, keyFingerprint, verifySiteDeidentified } from '../../../layers/dicom';
import { makeDicom } from '../../support/synthetic-dicom';

const FIXTURE = join(__dirname, '../../fixtures/dicom/patient-77654033/ct-head-series/CT2_17106.dcm');
const options = { secret: 'a-site-secret-that-is-long-enough-0123456789', project: 'site-study', site: 'site-a', profile: DEFAULT_PROFILE };

describe('verifySiteDeidentified (no original to compare with)', () => {
  it('passes what the engine produces, for a fixture and a synthetic file with planted PHI', () => {
    for (const bytes of [new Uint8Array(readFileSync(FIXTURE)), makeDicom()]) {
      const result = verifySiteDeidentified(deidentify(bytes, options).bytes, DEFAULT_PROFILE);
      expect(result.failures).toEqual([]);
      expect(result.passed).toBe(true);
    }
  });

  it('fails an original that was never de-identified, naming the checks', () => {
    const result = verifySiteDeidentified(makeDicom(), DEFAULT_PROFILE);
    expect(result.passed).toBe(false);
    const checks = new Set(result.failures.map((f) => f.check));
    for (const check of [
      'no-private-elements',
      'patient-identity-removed',
      'patient-pseudonym',
      'uids-remapped',
      'deidentified-with-profile',
    ])
      expect(checks).toContain(check);
  });

  it("fails a file de-identified under another profile than the project's", () => {
    const basic = deidentify(makeDicom(), { ...options, profile: BASIC_PROFILE }).bytes;
    expect(verifySiteDeidentified(basic, DEFAULT_PROFILE).failures.map((f) => f.check)).toContain('deidentified-with-profile');
  });

  it("checks the project key: the same file passes with its fingerprint and fails with another secret's", () => {
    const output = deidentify(makeDicom(), options).bytes;
    expect(verifySiteDeidentified(output, DEFAULT_PROFILE, keyFingerprint(options)).passed).toBe(true);
    const other = keyFingerprint({ secret: 'another-secret-that-is-also-long-enough-0000', project: options.project });
    expect(other).not.toBe(keyFingerprint(options));
    expect(verifySiteDeidentified(output, DEFAULT_PROFILE, other).failures).toEqual([
      { check: 'project-key', keyword: 'DeidentificationMethod' },
    ]);
    expect(keyFingerprint({ ...options, project: 'another-project' })).not.toBe(keyFingerprint(options));
  });

  it('fails an unreadable file', () => {
    expect(verifySiteDeidentified(new TextEncoder().encode('not dicom'), DEFAULT_PROFILE)).toMatchObject({
      passed: false,
      failures: [{ check: 'output-parses' }],
    });
  });
});
