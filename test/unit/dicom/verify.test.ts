import { deidentify, verifyDeidentified } from '../../../layers/dicom';
import { readDicomFile, writeDicomFile } from '../../../layers/dicom/dcmjs';
import { makeDicom, SYNTHETIC_PHI } from '../../support/synthetic-dicom';
import { fixture, SECRET } from './helpers';

/** Read-modify-write of a de-identified file, to plant what the verifier must catch. */
function tamper(bytes: Uint8Array, edit: (dict: ReturnType<typeof readDicomFile>['dict']) => void): Uint8Array {
  const file = readDicomFile(bytes);
  edit(file.dict);
  return writeDicomFile(file);
}

describe('verifyDeidentified', () => {
  const original = fixture('ct/CT_small.dcm');
  const output = deidentify(original, SECRET).bytes;

  it('passes a de-identified output and counts its checks', () => {
    const result = verifyDeidentified(original, output);
    expect(result).toEqual({ passed: true, checks: expect.any(Number), failures: [] });
    expect(result.checks).toBeGreaterThan(20);
  });

  it('fails the original against itself, naming checks and keywords only', () => {
    const result = verifyDeidentified(original, original);
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(
      expect.arrayContaining([
        { check: 'no-private-elements' },
        { check: 'patient-identity-removed', keyword: 'PatientIdentityRemoved' },
        { check: 'attribute-changed', keyword: 'PatientName' },
        { check: 'attribute-changed', keyword: 'SOPInstanceUID' },
        { check: 'no-phi-bytes', keyword: 'InstitutionName' },
      ]),
    );
    expect(JSON.stringify(result)).not.toMatch(/CompressedSamples|JFK|1CT1|1\.3\.6\.1/);
  });

  it('fails when a patient name is planted in ImageComments', () => {
    const name = readDicomFile(original).dict['00100010']?.Value?.[0] as { Alphabetic: string };
    const planted = tamper(output, (d) => {
      d['00204000'] = { vr: 'LT', Value: [`seen by ${name.Alphabetic}`] };
    });
    expect(verifyDeidentified(original, planted)).toMatchObject({
      passed: false,
      // The free-text check (issue 18) finds the name in the cleaned text too.
      failures: [
        { check: 'no-phi-bytes', keyword: 'PatientName' },
        { check: 'no-identifier-in-text', keyword: 'name' },
      ],
    });
  });

  it('fails when one name component alone is planted (PN components are searched too)', () => {
    const synthetic = makeDicom();
    const planted = tamper(deidentify(synthetic, SECRET).bytes, (d) => {
      d['00204000'] = { vr: 'LT', Value: ['QUINN'] };
    });
    // The free-text check (issue 18) finds it in the cleaned text too.
    expect(verifyDeidentified(synthetic, planted).failures).toEqual([
      { check: 'no-phi-bytes', keyword: 'PatientName' },
      { check: 'no-identifier-in-text', keyword: 'name' },
    ]);
  });

  it('fails when a private element survives', () => {
    const planted = tamper(output, (d) => {
      d['00290010'] = { vr: 'LO', Value: ['SOME VENDOR'] };
      d['00291001'] = { vr: 'LO', Value: ['harmless'] };
    });
    const result = verifyDeidentified(original, planted);
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(
      expect.arrayContaining([
        { check: 'no-private-elements', keyword: '(0029,0010)' },
        { check: 'no-private-elements', keyword: '(0029,1001)' },
      ]),
    );
  });

  it('fails when a private element hides inside a sequence item', () => {
    const planted = tamper(output, (d) => {
      d['00081140'] = { vr: 'SQ', Value: [{ '00111001': { vr: 'LO', Value: ['x'] } }] };
    });
    expect(verifyDeidentified(original, planted).failures).toContainEqual({ check: 'no-private-elements', keyword: '(0011,1001)' });
  });

  it('fails when a pixel byte changes', () => {
    const changed = new Uint8Array(output);
    changed[changed.byteLength - 1] = (changed[changed.byteLength - 1] ?? 0) ^ 0xff;
    expect(verifyDeidentified(original, changed)).toMatchObject({
      passed: false,
      failures: [{ check: 'pixel-data-unchanged', keyword: 'PixelData' }],
    });
  });

  it('fails when an encapsulated fragment changes', () => {
    const jpeg = fixture('ct/CT_small_jpeg_lossless.dcm');
    const out = deidentify(jpeg, SECRET).bytes;
    const changed = new Uint8Array(out);
    changed[changed.byteLength - 20] = (changed[changed.byteLength - 20] ?? 0) ^ 0x01;
    expect(verifyDeidentified(jpeg, changed).failures).toContainEqual({ check: 'pixel-data-unchanged', keyword: 'PixelData' });
  });

  it('fails when PatientIdentityRemoved is missing', () => {
    const planted = tamper(output, (d) => {
      delete d['00120062'];
    });
    expect(verifyDeidentified(original, planted).failures).toEqual([
      { check: 'patient-identity-removed', keyword: 'PatientIdentityRemoved' },
    ]);
  });

  it('fails when a study date is left unchanged', () => {
    const synthetic = makeDicom();
    const planted = tamper(deidentify(synthetic, SECRET).bytes, (d) => {
      d['00080020'] = { vr: 'DA', Value: [SYNTHETIC_PHI.studyDate] };
    });
    expect(verifyDeidentified(synthetic, planted).failures).toEqual([
      { check: 'attribute-changed', keyword: 'StudyDate' },
      { check: 'dates-shifted', keyword: '(0008,0020)' },
      { check: 'no-phi-bytes', keyword: 'StudyDate' },
    ]);
  });

  it('fails when an original date, in any case, hides in kept free text, and when a date in a sequence is not shifted', () => {
    const synthetic = makeDicom({ elements: { '00400275': { vr: 'SQ', Value: [{ '00400244': { vr: 'DA', Value: ['20231201'] } }] } } });
    const out = deidentify(synthetic, SECRET).bytes;
    expect(verifyDeidentified(synthetic, out).passed).toBe(true);
    const text = tamper(out, (d) => {
      d['00081030'] = { vr: 'LO', Value: [`chest ${SYNTHETIC_PHI.seriesDate}`] };
    });
    // The free-text check (issue 18) finds it in the cleaned text too.
    expect(verifyDeidentified(synthetic, text).failures).toEqual([
      { check: 'no-phi-bytes', keyword: 'SeriesDate' },
      { check: 'no-identifier-in-text', keyword: 'date' },
    ]);
    const nested = tamper(out, (d) => {
      d['00400275'] = { vr: 'SQ', Value: [{ '00400244': { vr: 'DA', Value: ['20231201'] } }] };
    });
    expect(verifyDeidentified(synthetic, nested).failures).toEqual(
      expect.arrayContaining([{ check: 'dates-shifted', keyword: '(0040,0244)' }]),
    );
  });

  it('fails when an original UID or a lower-case accession number is planted in a description', () => {
    const synthetic = makeDicom();
    const out = deidentify(synthetic, SECRET).bytes;
    const uid = tamper(out, (d) => {
      d['00081030'] = { vr: 'LO', Value: ['see 1.2.826.0.1.3680043.8.498.7711.1'] };
    });
    expect(verifyDeidentified(synthetic, uid).failures).toEqual([{ check: 'no-phi-bytes', keyword: 'StudyInstanceUID' }]);
    const accession = tamper(out, (d) => {
      d['00081030'] = { vr: 'LO', Value: [`ref ${SYNTHETIC_PHI.accessionNumber.toLowerCase()}`] };
    });
    // The free-text check (issue 18) finds it in the cleaned text too.
    expect(verifyDeidentified(synthetic, accession).failures).toEqual([
      { check: 'no-phi-bytes', keyword: 'AccessionNumber' },
      { check: 'no-identifier-in-text', keyword: 'id' },
    ]);
  });

  it('fails when a public attribute outside the profile allow-list survives', () => {
    const planted = tamper(output, (d) => {
      d['00540081'] = { vr: 'US', Value: [3] };
      d['60000010'] = { vr: 'US', Value: [16] };
    });
    expect(verifyDeidentified(original, planted).failures).toEqual([
      { check: 'allowed-attributes', keyword: '(0054,0081)' },
      { check: 'allowed-attributes', keyword: '(6000,0010)' },
    ]);
  });

  describe('the vendor-name exemption (MR_small: InstitutionName "TOSHIBA", Manufacturer "TOSHIBA_MEC")', () => {
    const mr = fixture('transfer-syntax/MR_small.dcm');
    const mrOut = deidentify(mr, SECRET).bytes;

    it('passes when the institution name only appears inside the unchanged Manufacturer', () => {
      expect(readDicomFile(mrOut).dict['00080070']?.Value).toEqual(['TOSHIBA_MEC']);
      expect(verifyDeidentified(mr, mrOut).passed).toBe(true);
    });

    it('still fails a planted institution name elsewhere', () => {
      const planted = tamper(mrOut, (d) => {
        d['00204000'] = { vr: 'LT', Value: ['acquired at Toshiba'] };
      });
      expect(verifyDeidentified(mr, planted).failures).toEqual([{ check: 'no-phi-bytes', keyword: 'InstitutionName' }]);
    });

    it('fails when Manufacturer itself was changed to carry it', () => {
      const planted = tamper(mrOut, (d) => {
        d['00080070'] = { vr: 'LO', Value: ['TOSHIBA HOSPITAL'] };
      });
      expect(verifyDeidentified(mr, planted).failures).toEqual([{ check: 'no-phi-bytes', keyword: 'InstitutionName' }]);
    });
  });

  it('finds a UTF-8 ideographic name component', () => {
    const charset = fixture('charset/chrX1.dcm');
    const planted = tamper(deidentify(charset, SECRET).bytes, (d) => {
      d['00204000'] = { vr: 'LT', Value: ['小東'] };
    });
    // The free-text check (issue 18) finds it in the cleaned text too.
    expect(verifyDeidentified(charset, planted).failures).toEqual([
      { check: 'no-phi-bytes', keyword: 'PatientName' },
      { check: 'no-identifier-in-text', keyword: 'name' },
    ]);
  });

  it('reports an unreadable output as a failed check rather than throwing', () => {
    expect(verifyDeidentified(original, output.subarray(0, 500))).toEqual({
      passed: false,
      checks: 1,
      failures: [{ check: 'output-parses' }],
    });
  });
});
