import { createHmac } from 'node:crypto';
import { patientPseudonym, remapUid, type KeyOptions } from '../../../layers/dicom';
import { SECRET } from './helpers';

const VALID_UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

describe('remapUid', () => {
  const uid = '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457';

  it('follows the documented formula: 2.25 + the first 16 bytes of HMAC-SHA256(secret, project NUL uid)', () => {
    const digest = createHmac('sha256', SECRET.secret).update(`${SECRET.project}\0${uid}`).digest();
    expect(remapUid(uid, SECRET)).toBe(`2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`)}`);
  });

  it('is deterministic and ignores DICOM padding', () => {
    expect(remapUid(uid, SECRET)).toBe(remapUid(uid, SECRET));
    expect(remapUid(`${uid}\0`, SECRET)).toBe(remapUid(uid, SECRET));
  });

  it('differs per project, per secret and per input', () => {
    const base = remapUid(uid, SECRET);
    expect(remapUid(uid, { ...SECRET, project: 'project-b' })).not.toBe(base);
    expect(remapUid(uid, { ...SECRET, secret: 'another-secret' })).not.toBe(base);
    expect(remapUid(`${uid}.1`, SECRET)).not.toBe(base);
  });

  it('does not depend on the site: UIDs are globally unique, so the same UID from two sites is the same object', () => {
    const otherSite: KeyOptions = { ...SECRET, site: 'site-b' };
    expect(remapUid(uid, otherSite)).toBe(remapUid(uid, SECRET));
  });

  it('always yields valid UID syntax of at most 64 characters', () => {
    for (let i = 0; i < 2000; i += 1) {
      const out = remapUid(`1.2.840.113619.2.55.${i}`, { secret: `s${i % 7}`, project: `p${i % 3}` });
      expect(out.length).toBeLessThanOrEqual(64);
      expect(out).toMatch(VALID_UID);
      expect(out.startsWith('2.25.')).toBe(true);
    }
  });
});

describe('patientPseudonym', () => {
  it('is stable for a key and differs per project and per patient', () => {
    const a = patientPseudonym('id:77654033', SECRET);
    expect(a).toMatch(/^HILUM-[0-9A-F]{16}$/);
    expect(patientPseudonym('id:77654033', SECRET)).toBe(a);
    expect(patientPseudonym('id:77654034', SECRET)).not.toBe(a);
    expect(patientPseudonym('id:77654033', { ...SECRET, project: 'project-b' })).not.toBe(a);
  });

  it('differs per issuing site: the same PatientID at two sites is two patients', () => {
    const a = patientPseudonym('id:77654033', SECRET);
    expect(patientPseudonym('id:77654033', { ...SECRET, site: 'site-b' })).not.toBe(a);
    expect(patientPseudonym('id:77654033', { ...SECRET, site: 'site-a' })).toBe(a);
  });

  it("refuses a key without a site rather than merge every site's patients", () => {
    expect(() => patientPseudonym('id:77654033', { ...SECRET, site: '' })).toThrow('site that issued the patient ids');
    expect(() => patientPseudonym('id:77654033', { secret: SECRET.secret, project: SECRET.project } as typeof SECRET)).toThrow(TypeError);
  });

  it('is not the UID remap of the same string', () => {
    expect(patientPseudonym('x', SECRET).slice(6)).not.toBe(remapUid('x', SECRET).slice(5, 21));
  });
});
