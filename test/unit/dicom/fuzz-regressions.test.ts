/**
 * Issue 12, what the fuzz suite found: values moved by a tag or VR swap that
 * the engine kept because nothing on the wire said they were not the attribute's
 * own. Each case is one mutant, and whether the value survives is decided by a
 * plain byte search of the output.
 */
import { deidentify, DicomParseError, DEFAULT_PROFILE } from '../../../layers/dicom';
import { scanPart10, type ScannedElement } from '../../../layers/dicom/part10';
import { valueConforms } from '../../../layers/dicom/value-form';
import { makeDicom } from '../../support/synthetic-dicom';
import { runCase } from '../../support/fuzz/cases';
import { fixture, includesBytes, SECRET } from './helpers';

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

const PATIENT_NAME = 0x00100010;

describe('values moved under another tag (fuzz findings)', () => {
  it('removes a name moved under a DS attribute of an Implicit VR file (its tag reads it as DS, but it is no number)', () => {
    const bytes = new Uint8Array(fixture('transfer-syntax/MR_small_implicit.dcm'));
    const name = element(bytes, PATIENT_NAME);
    const value = valueOf(bytes, name);
    retag(bytes, name, 0x00281050); // WindowCenter, DS, kept

    const out = deidentify(bytes, { ...SECRET, profile: DEFAULT_PROFILE });

    expect(includesBytes(out.bytes, value)).toBe(false);
    expect(out.actionCounts['WindowCenter:vr-mismatch']).toBe(1);
  });

  it("removes an explicit VR value relabelled with its new tag's own VR when the value does not take that VR's form", () => {
    const bytes = new Uint8Array(fixture('ct/CT_small.dcm'));
    const id = element(bytes, 0x00100020);
    const value = valueOf(bytes, id);
    retag(bytes, id, 0x00101020); // PatientSize, DS
    bytes.set(Buffer.from('DS'), id.headerStart + 4);

    const out = deidentify(bytes, { ...SECRET, profile: DEFAULT_PROFILE });

    expect(includesBytes(out.bytes, value)).toBe(false);
    expect(out.actionCounts['PatientSize:vr-mismatch']).toBe(1);
  });

  it("removes a kept vendor descriptor whose whole value is the patient's ID (a name equal to the ID moved there)", () => {
    const bytes = new Uint8Array(fixture('chest-xray/nih-cxr-dx.dcm'));
    const name = element(bytes, PATIENT_NAME);
    const value = valueOf(bytes, name);
    expect(valueOf(bytes, element(bytes, 0x00100020))).toBe(value);
    retag(bytes, name, 0x00081090); // ManufacturerModelName, LO, kept

    const out = deidentify(bytes, { ...SECRET, profile: DEFAULT_PROFILE });

    expect(includesBytes(out.bytes, value)).toBe(false);
    expect(out.actionCounts['ManufacturerModelName:identifier-moved']).toBe(1);
  });

  it('removes a kept vendor descriptor whose whole value is an institutional department of the same file (moved there by a swap)', () => {
    const department = 'CARDIOLOGY WEST WING';
    const bytes = makeDicom({ elements: { '00081040': { vr: 'LO', Value: [department] }, '00181020': { vr: 'LO', Value: [department] } } });

    const out = deidentify(bytes, { ...SECRET, profile: DEFAULT_PROFILE });

    expect(includesBytes(out.bytes, department)).toBe(false);
    expect(out.actionCounts['SoftwareVersions:identifier-moved']).toBe(1);
  });

  it('removes a kept vendor descriptor whose whole value is the StudyID (an Implicit VR PatientID equal to it moved under Manufacturer)', () => {
    const bytes = new Uint8Array(fixture('transfer-syntax/MR_small_implicit.dcm'));
    const id = element(bytes, 0x00100020);
    const value = valueOf(bytes, id);
    expect(valueOf(bytes, element(bytes, 0x00200010))).toBe(value);
    retag(bytes, id, 0x00080070); // Manufacturer, LO, kept

    const out = deidentify(bytes, { ...SECRET, profile: DEFAULT_PROFILE });

    expect(includesBytes(out.bytes, value)).toBe(false);
  });

  it('removes a kept text holding a UID moved there, with the study date inside it (fuzz seed 20261206 #95458: FrameOfReferenceUID under ConvolutionKernel)', () => {
    const bytes = new Uint8Array(fixture('transfer-syntax/MR_small_implicit.dcm'));
    const uid = element(bytes, 0x00200052);
    const studyDate = valueOf(bytes, element(bytes, 0x00080020));
    expect(valueOf(bytes, uid)).toContain(studyDate);
    retag(bytes, uid, 0x00181210); // ConvolutionKernel, SH, kept

    const out = deidentify(bytes, { ...SECRET, profile: DEFAULT_PROFILE });

    expect(includesBytes(out.bytes, studyDate)).toBe(false);
    expect(out.actionCounts['ConvolutionKernel:identifier-moved']).toBe(1);
  });

  it('replays mutant #95458 of seed 20261206 to no leak', () => {
    expect(runCase(20261206, 95458).cls).not.toBe('leak');
  });

  it('refuses native Pixel Data shorter than the image its header describes (a name swapped under the Pixel Data tag)', () => {
    const bytes = new Uint8Array(fixture('chest-xray/nih-cxr-dx.dcm'));
    const name = element(bytes, PATIENT_NAME);
    const pixels = element(bytes, 0x7fe00010);
    retag(bytes, name, 0x7fe00010);
    retag(bytes, pixels, PATIENT_NAME);

    expect(() => deidentify(bytes, { ...SECRET, profile: DEFAULT_PROFILE })).toThrow(DicomParseError);
  });
});

describe('valueConforms', () => {
  const check = (text: string, vr: string, key = '00281050'): boolean => {
    const bytes = Buffer.from(text, 'latin1');
    return valueConforms(bytes, 0, bytes.length, vr, key);
  };

  it.each([
    ['-12.5\\3E4 ', 'DS'],
    ['42 ', 'IS'],
    ['ORIGINAL\\PRIMARY', 'CS'],
    ['1.2.840.10008.1.2\0', 'UI'],
    ['235959.123456', 'TM'],
    ['', 'CS'],
  ])('accepts %j as %s', (text, vr) => expect(check(text, vr)).toBe(true));

  it.each([
    ['Doe^Jane', 'DS'],
    ['Covid0000 ', 'IS'],
    ['doe', 'CS'],
    ['operator', 'TM'],
    ['1.2.3a', 'UI'],
    ['12345678901234567', 'DS'],
  ])('refuses %j as %s', (text, vr) => expect(check(text, vr)).toBe(false));

  it('refuses a binary value that is not a whole number of values, or several values of a VM 1 attribute', () => {
    expect(valueConforms(new Uint8Array(3), 0, 3, 'US', '00280010')).toBe(false);
    expect(valueConforms(new Uint8Array(10), 0, 10, 'US', '00280010')).toBe(false); // Rows: VM 1
    expect(valueConforms(new Uint8Array(2), 0, 2, 'US', '00280010')).toBe(true);
    // SmallestImagePixelValue is "US or SS" (dcmjs: xs), VM 1: a name of 8 bytes under it is no pixel value (fuzz seed 20261206 #3685).
    expect(valueConforms(Buffer.from('id00001 '), 0, 8, 'xs', '00280106')).toBe(false);
    expect(valueConforms(new Uint8Array(4), 0, 4, 'US', '00281101')).toBe(true); // a LUT descriptor: VM 3
  });
});
