/**
 * The verifier is independent of the engine's value-form check: with that
 * check broken (every value "conforms"), the engine publishes a name moved
 * under a DS or a VM 1 US tag, and the verifier must refuse those outputs on
 * its own (issue 12).
 */
import { deidentify, verifyDeidentified, DEFAULT_PROFILE } from '../../../layers/dicom';
import { scanPart10, type ScannedElement } from '../../../layers/dicom/part10';
import { fixture, includesBytes, SECRET } from './helpers';

// The engine regression: value-form.ts lets everything through.
jest.mock('../../../layers/dicom/value-form', () => ({
  ...jest.requireActual<object>('../../../layers/dicom/value-form'),
  valueConforms: () => true,
}));

function element(bytes: Uint8Array, tag: number): ScannedElement {
  const found = scanPart10(bytes).elements.find((e) => e.depth === 0 && e.tag === tag);
  if (!found) throw new Error(`no ${tag.toString(16)}`);
  return found;
}

function retag(bytes: Uint8Array, el: ScannedElement, tag: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint16(el.headerStart, tag >>> 16, true);
  view.setUint16(el.headerStart + 2, tag & 0xffff, true);
}

function valueOf(bytes: Uint8Array, el: ScannedElement): string {
  return Buffer.from(bytes.subarray(el.valueStart, el.valueEnd))
    .toString('latin1')
    .replace(/[\0 ]+$/, '');
}

describe('an engine that keeps malformed values is caught by the verifier', () => {
  it.each([
    ['a name under WindowCenter (DS) of an Implicit VR file', 'transfer-syntax/MR_small_implicit.dcm', 0x00100010, 0x00281050, undefined],
    [
      'a name under SmallestImagePixelValue (US or SS, VM 1) of an Implicit VR file',
      'transfer-syntax/MR_small_implicit.dcm',
      0x00100010,
      0x00280106,
      undefined,
    ],
    ['an ID relabelled DS under PatientSize of an Explicit VR file', 'ct/CT_small.dcm', 0x00100020, 0x00101020, 'DS'],
  ])('%s', (_label, path, from, to, vr) => {
    const input = fixture(path);
    const moved = element(input, from);
    const value = valueOf(input, moved);
    retag(input, moved, to);
    if (vr) input.set(Buffer.from(vr), moved.headerStart + 4);

    const out = deidentify(input, { ...SECRET, profile: DEFAULT_PROFILE });
    // The broken engine keeps it: this is the regression the verifier stands behind.
    expect(includesBytes(out.bytes, value)).toBe(true);

    const result = verifyDeidentified(input, out.bytes, DEFAULT_PROFILE);
    expect(result.passed).toBe(false);
    expect(result.failures).toContainEqual(expect.objectContaining({ check: 'values-take-vr-form' }));
  });
});
