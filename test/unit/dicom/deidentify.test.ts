import {
  deidentify,
  parseDicom,
  remapUid,
  verifyDeidentified,
  DicomParseError,
  DEIDENTIFICATION_METHOD,
  keyFingerprint,
  KEY_FINGERPRINT_PREFIX,
} from '../../../layers/dicom';
import { readDicomFile, type DataSet } from '../../../layers/dicom/dcmjs';
import { textValues, sequenceItems } from '../../../layers/dicom/dataset';
import { makeDicom, SYNTHETIC_PHI, SYNTHETIC_UIDS } from '../../support/synthetic-dicom';
import { dcmdump, fixture, GOOD_FIXTURES, includesBytes, SECRET } from './helpers';

function first(dict: DataSet, key: string): string {
  const e = dict[key];
  return e ? (textValues(e)[0] ?? '').trim() : '';
}

/** Pixel payload as dcmjs reads it (fragments joined, Basic Offset Table excluded): an independent reader from the verifier's. */
function pixels(bytes: Uint8Array): Buffer {
  const element = readDicomFile(bytes).dict['7FE00010'];
  return Buffer.concat((element?.Value ?? []).map((v) => Buffer.from(v as ArrayBuffer)));
}

/** Every tag key at every depth. */
function allKeys(dict: DataSet): string[] {
  return Object.entries(dict).flatMap(([key, element]) => [key, ...sequenceItems(element).flatMap(allKeys)]);
}

const isPrivate = (key: string): boolean => (parseInt(key.slice(0, 4), 16) & 1) === 1;

describe.each(GOOD_FIXTURES)('deidentify %s', (path) => {
  const original = fixture(path);
  const before = readDicomFile(original);
  const out = deidentify(original, SECRET);
  const after = readDicomFile(out.bytes);

  it('writes a file that parseDicom and dcmjs read back', () => {
    expect(parseDicom(out.bytes).summary.sopInstanceUid).toBe(out.summary.sopInstanceUid);
    expect(Object.keys(after.dict).length).toBeGreaterThan(5);
  });

  it('writes a file that dcmdump reads without errors or warnings', () => {
    const dump = dcmdump(out.bytes);
    expect(dump.status).toBe(0);
    expect(dump.stderr).toBe('');
    expect(dump.stdout).toContain('(0012,0062) CS [YES]');
    // No odd group anywhere in dcmdump's view of the file.
    expect(dump.stdout.match(/^\s*\([0-9a-f]{3}[13579bdf],[0-9a-f]{4}\)/m)).toBeNull();
  });

  it('keeps the pixel payload byte-identical and the transfer syntax', () => {
    expect(pixels(out.bytes).equals(pixels(original))).toBe(true);
    expect(out.summary.transferSyntaxUid).toBe(parseDicom(original).summary.transferSyntaxUid);
  });

  it('leaves none of the identifying values in the output bytes', () => {
    const manufacturer = first(before.dict, '00080070');
    const values = ['00100010', '00100020', '00100030', '00080080', '00080050', '0020000D', '0020000E', '00080018']
      .map((key) => ({ key, value: first(before.dict, key) }))
      .filter(({ value }) => value.length >= 4);
    expect(values.length).toBeGreaterThan(0);
    for (const { key, value } of values) {
      if (key === '00080080' && manufacturer.includes(value)) {
        // MR_small's InstitutionName is its vendor's name; Manufacturer legitimately keeps it. The element itself must go.
        expect(after.dict[key]).toBeUndefined();
        continue;
      }
      expect({ key, leaked: includesBytes(out.bytes, value) }).toEqual({ key, leaked: false });
    }
  });

  it('removes every private element at every depth', () => {
    expect(allKeys(after.dict).filter(isPrivate)).toEqual([]);
    expect(allKeys(after.meta).filter(isPrivate)).toEqual([]);
  });

  it('remaps the instance UIDs and keeps File Meta consistent', () => {
    const sop = first(before.dict, '00080018');
    expect(out.summary.sopInstanceUid).toBe(remapUid(sop, SECRET));
    expect(out.summary.studyInstanceUid).toBe(remapUid(first(before.dict, '0020000D'), SECRET));
    expect(out.summary.seriesInstanceUid).toBe(remapUid(first(before.dict, '0020000E'), SECRET));
    expect(first(after.meta, '00020003')).toBe(out.summary.sopInstanceUid);
    expect(first(after.meta, '00020002')).toBe(first(before.dict, '00080016'));
    expect(out.summary.sopClassUid).toBe(first(before.dict, '00080016'));
  });

  it('marks the identity removed and names the method, replacing any earlier value', () => {
    expect(textValues(after.dict['00120062'] ?? { vr: 'CS' })).toEqual(['YES']);
    // The method, then the fingerprint of the key that de-identified it (which the commons checks for site uploads).
    expect(textValues(after.dict['00120063'] ?? { vr: 'LO' })).toEqual([
      DEIDENTIFICATION_METHOD,
      `${KEY_FINGERPRINT_PREFIX}${keyFingerprint(SECRET)}`,
    ]);
    expect(sequenceItems(after.dict['00120064'] ?? { vr: 'SQ' }).map((i) => first(i, '00080100'))).toEqual([
      '113100',
      '113105',
      '113107',
      '113108',
    ]);
    expect(first(after.dict, '00280303')).toBe('MODIFIED');
  });

  it('keeps Modality and the patient characteristics', () => {
    expect(first(after.dict, '00080060')).toBe(first(before.dict, '00080060'));
    expect(first(after.dict, '00100040')).toBe(first(before.dict, '00100040'));
    expect(first(after.dict, '00101010')).toBe(first(before.dict, '00101010'));
  });

  it('passes the independent verifier', () => {
    expect(verifyDeidentified(original, out.bytes)).toMatchObject({ passed: true, failures: [] });
  });
});

describe('deidentify specifics', () => {
  it('counts actions by keyword and never records a value', () => {
    const out = deidentify(fixture('ct/CT_small.dcm'), SECRET);
    expect(out.actionCounts['private:X']).toBeGreaterThan(170);
    expect(out.actionCounts).toMatchObject({
      'PatientName:pseudonym': 1,
      'PatientID:pseudonym': 1,
      'OtherPatientIDsSequence:X': 1,
      'InstitutionName:X': 1,
      'StudyInstanceUID:U': 1,
      'DataSetTrailingPadding:X': 1,
    });
    expect(JSON.stringify(out.actionCounts)).not.toMatch(/CompressedSamples|JFK|1CT1/);
  });

  it('gives the same pseudonym to two studies of one patient, and the name equals the ID', () => {
    const cr = readDicomFile(deidentify(fixture('patient-77654033/cr-cspine/CR1_6154.dcm'), SECRET).bytes).dict;
    const ct = readDicomFile(deidentify(fixture('patient-77654033/ct-head-series/CT2_17106.dcm'), SECRET).bytes).dict;
    expect(first(cr, '00100020')).toMatch(/^HILUM-[0-9A-F]{16}$/);
    expect(first(cr, '00100020')).toBe(first(ct, '00100020'));
    expect(first(cr, '00100010')).toBe(first(cr, '00100020'));
    const other = readDicomFile(
      deidentify(fixture('patient-77654033/cr-cspine/CR1_6154.dcm'), { ...SECRET, project: 'project-b' }).bytes,
    ).dict;
    expect(first(other, '00100020')).not.toBe(first(cr, '00100020'));
  });

  it('keeps a series together: four slices share the remapped study and series UIDs, distinct instance UIDs', () => {
    const outs = ['CT2_17106', 'CT2_17136', 'CT2_17166', 'CT2_17196'].map(
      (n) => deidentify(fixture(`patient-77654033/ct-head-series/${n}.dcm`), SECRET).summary,
    );
    expect(new Set(outs.map((s) => s.studyInstanceUid)).size).toBe(1);
    expect(new Set(outs.map((s) => s.seriesInstanceUid)).size).toBe(1);
    expect(new Set(outs.map((s) => s.sopInstanceUid)).size).toBe(4);
    expect(outs.map((s) => s.instanceNumber)).toEqual([18, 180, 181, 182]);
  });

  it('remaps ReferencedSOPInstanceUID inside nested sequences', () => {
    const original = readDicomFile(fixture('sequences/rtplan.dcm')).dict;
    const output = readDicomFile(deidentify(fixture('sequences/rtplan.dcm'), SECRET).bytes).dict;
    const referenced = (dict: DataSet): string[] =>
      Object.entries(dict).flatMap(([key, e]) => [...(key === '00081155' ? textValues(e) : []), ...sequenceItems(e).flatMap(referenced)]);
    const before = referenced(original);
    expect(before.length).toBeGreaterThan(0);
    expect(referenced(output)).toEqual(before.map((uid) => remapUid(uid, SECRET)));
  });

  it('drops overlay groups and the icon image', () => {
    const out = readDicomFile(deidentify(fixture('graphics/examples_overlay.dcm'), SECRET).bytes).dict;
    expect(Object.keys(out).filter((k) => k.startsWith('60'))).toEqual([]);
    expect(out['00880200']).toBeUndefined();
  });

  it('flags BurnedInAnnotation YES, secondary captures and undeclared derived radiographs for pixel review', () => {
    const review = (bytes: Uint8Array) => deidentify(bytes, SECRET).pixelReview;
    expect(review(fixture('patient-77654033/cr-cspine/CR1_6154_burned_in_annotation_flag.dcm'))).toEqual(['burned-in-annotation']);
    // CR, ImageType DERIVED, no BurnedInAnnotation: not declared clean.
    expect(review(fixture('patient-77654033/cr-cspine/CR1_6154.dcm'))).toEqual(['radiograph-not-declared-clean']);
    expect(review(fixture('chest-xray/nih-cxr-dx.dcm'))).toContain('secondary-capture');
    expect(review(makeDicom({ burnedInAnnotation: 'YES' }))).toEqual(['burned-in-annotation']);
    expect(review(makeDicom({ modality: 'OT' }))).toEqual(['secondary-capture']);
    expect(review(makeDicom({ modality: 'DX', elements: { '00080008': { vr: 'CS', Value: ['DERIVED', 'PRIMARY'] } } }))).toEqual([
      'radiograph-not-declared-clean',
    ]);
    // An ORIGINAL radiograph, or one declaring NO, passes; so does a CT.
    expect(deidentify(makeDicom({ modality: 'DX' }), SECRET).outcome).toBe('ok');
    expect(
      deidentify(
        makeDicom({ modality: 'CR', burnedInAnnotation: 'NO', elements: { '00080008': { vr: 'CS', Value: ['DERIVED'] } } }),
        SECRET,
      ).outcome,
    ).toBe('ok');
    expect(deidentify(fixture('ct/CT_small.dcm'), SECRET).outcome).toBe('ok');
  });

  it('removes the planted PHI of a synthetic instance, including the nested PatientID and the private sequence', () => {
    const original = makeDicom();
    const out = deidentify(original, SECRET);
    for (const value of Object.values(SYNTHETIC_PHI))
      expect({ value, leaked: includesBytes(out.bytes, value) }).toEqual({ value, leaked: false });
    for (const uid of [SYNTHETIC_UIDS.study, SYNTHETIC_UIDS.series, SYNTHETIC_UIDS.frameOfReference])
      expect(includesBytes(out.bytes, uid)).toBe(false);
    const dict = readDicomFile(out.bytes).dict;
    expect(dict['00101002']).toBeUndefined();
    expect(allKeys(dict).filter(isPrivate)).toEqual([]);
    expect(first(dict, '00101010')).toBe('054Y');
    expect(verifyDeidentified(original, out.bytes).passed).toBe(true);
  });

  it('is deterministic: the same input and key give the same bytes', () => {
    const a = deidentify(fixture('ct/CT_small.dcm'), SECRET).bytes;
    const b = deidentify(fixture('ct/CT_small.dcm'), SECRET).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it.each(['malformed/MR_truncated.dcm', 'malformed/empty.dcm', 'private/priv_SQ.dcm'])('throws DicomParseError for %s', (path) => {
    expect(() => deidentify(fixture(path), SECRET)).toThrow(DicomParseError);
  });

  it('either de-identifies or throws DicomParseError at every truncation point', () => {
    const bytes = fixture('patient-77654033/cr-cspine/CR1_6154.dcm');
    for (let end = 0; end < bytes.byteLength; end += 11) {
      try {
        const out = deidentify(bytes.subarray(0, end), SECRET);
        expect(out.bytes.byteLength).toBeGreaterThan(132);
      } catch (error) {
        expect(error).toBeInstanceOf(DicomParseError);
      }
    }
  });
});
