/**
 * The verifier judges value forms on its own (issue 12): an output that keeps a
 * value not of its VR (letters under a DS, a name under a UI, two values under
 * a VM 1 US) is refused with `values-take-vr-form`, whatever the engine did.
 * Outputs of valid files under every profile still pass.
 */
import {
  deidentify,
  verifyDeidentified,
  verifySiteDeidentified,
  BASIC_PROFILE,
  DEFAULT_PROFILE,
  type DeidProfile,
} from '../../../layers/dicom';
import { readDicomFile, writeDicomFile } from '../../../layers/dicom/dcmjs';
import { scanPart10 } from '../../../layers/dicom/part10';
import { makeDicom } from '../../support/synthetic-dicom';
import { fixture, GOOD_FIXTURES, SECRET } from './helpers';

const EVERY_OPTION: DeidProfile = {
  ...DEFAULT_PROFILE,
  name: 'every-option',
  options: {
    retainPatientCharacteristics: true,
    retainLongitudinalModifiedDates: false,
    retainLongitudinalFullDates: true,
    cleanDescriptors: true,
    retainSafePrivate: true,
    retainDeviceIdentity: true,
    retainInstitutionIdentity: true,
  },
};

/** Overwrites the value of the first element with `tag` at `depth`, in place, padded with spaces to its length. */
function overwrite(bytes: Uint8Array, tag: number, text: string, depth = 0): Uint8Array {
  const out = new Uint8Array(bytes);
  const file = scanPart10(out);
  const el = file.elements.find((e) => e.tag === tag && e.depth === depth);
  if (!el) throw new Error(`no ${tag.toString(16)} in the output`);
  if (file.dataSet.buffer !== out.buffer) throw new Error('deflated output: cannot edit in place');
  const length = el.valueEnd - el.valueStart;
  if (text.length > length) throw new Error(`value of ${length} bytes too short`);
  file.dataSet.set(Buffer.from(text.padEnd(length, ' '), 'latin1'), el.valueStart);
  return out;
}

const formFailure = (tag: string) => ({ check: 'values-take-vr-form', keyword: tag });

describe("the verifier refuses kept values that do not take their VR's form", () => {
  const original = fixture('ct/CT_small.dcm');
  const output = deidentify(original, SECRET).bytes;

  it('passes the untouched output', () => {
    expect(verifyDeidentified(original, output)).toMatchObject({ passed: true, failures: [] });
  });

  it.each([
    ['a name under a DS (SliceThickness)', 0x00180050, 'DOE^J', '(0018,0050)'],
    ['an ID of letters under an IS (InstanceNumber)', 0x00200013, 'X', '(0020,0013)'],
    ['lower case under a CS (Modality)', 0x00080060, 'ct', '(0008,0060)'],
    ['a name under a UI (SOPClassUID)', 0x00080016, 'DOE^JANE^QUINN', '(0008,0016)'],
    ['words under a TM (StudyTime)', 0x00080030, 'NOON', '(0008,0030)'],
  ])('refuses %s', (_label, tag, text, keyword) => {
    const result = verifyDeidentified(original, overwrite(output, tag, text));
    expect(result.passed).toBe(false);
    expect(result.failures).toContainEqual(formFailure(keyword));
  });

  it('refuses a DS value longer than 16 characters and accepts several short ones', () => {
    const input = makeDicom({ elements: { '00281050': { vr: 'DS', Value: ['40.0000000000000', '400.000000000000'] } } });
    const out = deidentify(input, SECRET).bytes;
    expect(verifyDeidentified(input, out).passed).toBe(true);
    expect(verifyDeidentified(input, overwrite(out, 0x00281050, '12345678901234567')).failures).toContainEqual(formFailure('(0028,1050)'));
  });

  it('refuses two values under a VM 1 binary attribute (Rows) and an odd length under a US', () => {
    const twoRows = readDicomFile(output);
    twoRows.dict['00280010'] = { vr: 'US', Value: [0x4f44, 0x2045] };
    expect(verifyDeidentified(original, writeDicomFile(twoRows)).failures).toContainEqual(formFailure('(0028,0010)'));
  });

  it("judges an Implicit VR output by the dictionary's VR (a name in place of WindowCenter's DS)", () => {
    const implicit = fixture('transfer-syntax/MR_small_implicit.dcm');
    const out = deidentify(implicit, SECRET).bytes;
    expect(verifyDeidentified(implicit, out).passed).toBe(true);
    const target = scanPart10(out).elements.find((e) => e.depth === 0 && e.vr === 'DS' && e.valueEnd - e.valueStart >= 4);
    if (!target) throw new Error('no DS of 4 bytes or more in the output');
    const result = verifyDeidentified(implicit, overwrite(out, target.tag, 'DOE'));
    expect(result.failures).toContainEqual(expect.objectContaining({ check: 'values-take-vr-form' }));
  });

  it("judges a public element sent as UN by the dictionary's VR", () => {
    const input = makeDicom({});
    const out = readDicomFile(deidentify(input, SECRET).bytes);
    out.dict['00180050'] = { vr: 'UN', Value: [new Uint8Array(Buffer.from('DOE^JANE')).buffer] };
    expect(verifyDeidentified(input, writeDicomFile(out)).failures).toContainEqual(formFailure('(0018,0050)'));
  });

  it('refuses the same in a file a site de-identified itself', () => {
    const input = makeDicom({});
    const out = deidentify(input, SECRET).bytes;
    expect(verifySiteDeidentified(out, DEFAULT_PROFILE).passed).toBe(true);
    const target = scanPart10(out).elements.find((e) => e.depth === 0 && e.vr === 'DS');
    if (!target) throw new Error('no DS in the output');
    expect(verifySiteDeidentified(overwrite(out, target.tag, 'A'), DEFAULT_PROFILE).failures).toContainEqual(
      expect.objectContaining({ check: 'values-take-vr-form' }),
    );
  });
});

describe("outputs of valid files take their VRs' forms under every profile", () => {
  it.each(GOOD_FIXTURES)('%s', (path) => {
    const original = fixture(path);
    for (const profile of [DEFAULT_PROFILE, BASIC_PROFILE, EVERY_OPTION]) {
      const out = deidentify(original, { ...SECRET, profile });
      const failures = verifyDeidentified(original, out.bytes, profile).failures.filter((f) => f.check === 'values-take-vr-form');
      expect({ profile: profile.name, failures }).toEqual({ profile: profile.name, failures: [] });
    }
  });
});
