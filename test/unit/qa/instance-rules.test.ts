/**
 * One test per instance rule: a dataset that passes it and one that triggers it.
 * Synthetic instances (test/support/synthetic-dicom.ts) and public fixtures only.
 */
import { readDicomFile, writeDicomFile } from '../../../layers/dicom/dcmjs';
import { evaluateInstance, INSTANCE_RULES } from '../../../layers/qa';
import { fixture } from '../dicom/helpers';
import { makeDicom } from '../../support/synthetic-dicom';
import { config, CT_RESCALE, firing, goodCt, messagesOf } from './support';

function edit(bytes: Uint8Array, change: (dict: Record<string, { vr: string; Value?: unknown[] }>) => void): Uint8Array {
  const file = readDicomFile(bytes);
  change(file.dict as Record<string, { vr: string; Value?: unknown[] }>);
  return writeDicomFile(file);
}

describe('instance rules', () => {
  it('every rule has an id, a description and a known default severity', () => {
    for (const rule of INSTANCE_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+$/);
      expect(rule.description.length).toBeGreaterThan(10);
      expect(['warn', 'quarantine']).toContain(rule.defaultSeverity);
    }
    expect(new Set(INSTANCE_RULES.map((r) => r.id)).size).toBe(INSTANCE_RULES.length);
  });

  it('a complete synthetic CT passes every instance rule', () => {
    expect(evaluateInstance(goodCt())).toMatchObject({ outcome: 'pass', findings: [] });
  });

  describe('dicom.parses', () => {
    it('passes a readable instance and quarantines truncated and non-DICOM bytes with a value-free reason', () => {
      expect(firing(goodCt())).not.toContain('dicom.parses');
      const truncated = fixture('malformed/MR_truncated.dcm');
      expect(evaluateInstance(truncated).findings).toEqual([
        { ruleId: 'dicom.parses', severity: 'quarantine', message: expect.stringMatching(/^truncated/) },
      ]);
      expect(messagesOf(Buffer.from('a clinical note, not an image'), 'dicom.parses')).toEqual([
        expect.stringContaining('not a DICOM Part 10 file'),
      ]);
    });
  });

  describe('one rule alone (only)', () => {
    it('gives the findings of that rule as the whole evaluation does, and runs no other', () => {
      const mr = makeDicom({ modality: 'MR' });
      const truncated = fixture('malformed/MR_truncated.dcm');
      for (const bytes of [mr, truncated]) {
        const whole = evaluateInstance(bytes, { phase: 'original' });
        expect(evaluateInstance(bytes, { phase: 'original', only: 'dicom.parses' }).findings).toEqual(
          whole.findings.filter((f) => f.ruleId === 'dicom.parses'),
        );
      }
      // The MR is out of the default scope: the whole evaluation says so, the parse alone does not.
      expect(firing(mr, { phase: 'original' })).toContain('scope.modality');
      expect(evaluateInstance(mr, { phase: 'original', only: 'dicom.parses' })).toMatchObject({ outcome: 'pass', findings: [] });
    });
  });

  describe('transfer-syntax.supported', () => {
    it('passes an accepted transfer syntax and quarantines one the project does not accept', () => {
      expect(firing(goodCt())).not.toContain('transfer-syntax.supported');
      const rle = fixture('transfer-syntax/MR_small_RLE.dcm');
      const noRle = config({ modalities: ['MR'], transferSyntaxes: ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'] });
      expect(firing(rle, { config: noRle })).toContain('transfer-syntax.supported');
      expect(firing(rle, { config: config({ modalities: ['MR'] }) })).not.toContain('transfer-syntax.supported');
    });
  });

  describe('scope.modality', () => {
    it('accepts CR, DX and CT by default and quarantines MR until the project configures it', () => {
      const mr = makeDicom({ modality: 'MR' });
      expect(messagesOf(mr, 'scope.modality')).toEqual(["Modality is not in the project's scope (CR, DX, CT)"]);
      expect(firing(mr, { config: config({ modalities: ['CR', 'DX', 'CT', 'MR'] }) })).not.toContain('scope.modality');
      for (const modality of ['CR', 'DX', 'CT']) expect(firing(makeDicom({ modality }))).not.toContain('scope.modality');
    });

    it('names a missing Modality', () => {
      expect(
        messagesOf(
          edit(goodCt(), (d) => {
            delete d['00080060'];
          }),
          'scope.modality',
        ),
      ).toEqual(['Modality is missing']);
    });
  });

  describe('scope.sop-class', () => {
    it('passes CT Image Storage and quarantines a Secondary Capture labelled DX', () => {
      expect(firing(goodCt())).not.toContain('scope.sop-class');
      expect(firing(fixture('chest-xray/nih-cxr-dx.dcm'))).toContain('scope.sop-class');
      expect(firing(makeDicom({ modality: 'DX', sopClassUid: '1.2.840.10008.5.1.4.1.1.7' }))).toContain('scope.sop-class');
    });
  });

  describe('iod.type1', () => {
    it('passes complete core modules and quarantines absent, empty and VR-invalid Type 1 attributes, naming keywords only', () => {
      expect(firing(goodCt())).not.toContain('iod.type1');
      const broken = edit(goodCt(), (d) => {
        delete d['00280103']; // PixelRepresentation absent
        d['00280004'] = { vr: 'CS', Value: [''] }; // PhotometricInterpretation empty
        d['0020000E'] = { vr: 'UI', Value: ['1.2.03.x'] }; // SeriesInstanceUID not a UID
      });
      expect(evaluateInstance(broken).findings.filter((f) => f.ruleId === 'iod.type1')).toEqual([
        { ruleId: 'iod.type1', severity: 'quarantine', message: 'Type 1 attribute(s) absent: PixelRepresentation' },
        { ruleId: 'iod.type1', severity: 'quarantine', message: 'Type 1 attribute(s) empty: PhotometricInterpretation' },
        { ruleId: 'iod.type1', severity: 'quarantine', message: 'Type 1 attribute(s) invalid for their VR: SeriesInstanceUID' },
      ]);
    });
  });

  describe('iod.type1-modality', () => {
    it('warns on a CT without its CT Image Type 1 rescale attributes and passes one with them', () => {
      expect(messagesOf(makeDicom(), 'iod.type1-modality')).toEqual(['Type 1 attribute(s) absent: RescaleIntercept, RescaleSlope']);
      expect(evaluateInstance(makeDicom()).outcome).toBe('warn');
      expect(firing(makeDicom({ elements: CT_RESCALE }))).not.toContain('iod.type1-modality');
    });

    it('checks the DX Image and DX Detector modules of a radiograph', () => {
      expect(messagesOf(makeDicom({ modality: 'DX' }), 'iod.type1-modality')[0]).toContain('PresentationLUTShape');
    });
  });

  describe('pixel.present', () => {
    it('quarantines an instance without Pixel Data', () => {
      expect(firing(goodCt())).not.toContain('pixel.present');
      expect(
        firing(
          edit(goodCt(), (d) => {
            delete d['7FE00010'];
          }),
        ),
      ).toContain('pixel.present');
    });
  });

  describe('pixel.consistent', () => {
    it('passes matching dimensions and quarantines a pixel length that does not match rows x columns x bits', () => {
      expect(firing(goodCt())).not.toContain('pixel.consistent');
      const wrongRows = edit(goodCt(), (d) => {
        d['00280010'] = { vr: 'US', Value: [32] };
      });
      expect(messagesOf(wrongRows, 'pixel.consistent')).toEqual([
        'native PixelData holds 512 bytes; Rows x Columns x SamplesPerPixel x BitsAllocated/8 x frames gives 1024',
      ]);
    });

    it('quarantines a photometric interpretation that does not fit the samples per pixel', () => {
      const rgbMono = edit(goodCt(), (d) => {
        d['00280004'] = { vr: 'CS', Value: ['RGB'] };
      });
      expect(messagesOf(rgbMono, 'pixel.consistent')).toContain('PhotometricInterpretation does not match SamplesPerPixel');
    });

    it('does not measure encapsulated Pixel Data', () => {
      expect(firing(fixture('ct/CT_small_jpeg_lossless.dcm'))).not.toContain('pixel.consistent');
    });
  });

  describe('deid.verified', () => {
    it('is a finding only when the verifier failed, and it never runs offline', () => {
      expect(firing(goodCt(), { verification: { passed: true, failedChecks: [] } })).not.toContain('deid.verified');
      expect(messagesOf(goodCt(), 'deid.verified', { verification: { passed: false, failedChecks: ['needle:PatientName'] } })).toEqual([
        'the de-identified copy failed verification: needle:PatientName',
      ]);
      expect(firing(goodCt(), { phase: 'original', verification: { passed: false, failedChecks: [] } })).not.toContain('deid.verified');
    });
  });

  describe('deid.pixel-review', () => {
    it('passes BurnedInAnnotation NO and quarantines YES (the fixture and a synthetic instance)', () => {
      expect(firing(goodCt({ burnedInAnnotation: 'NO' }))).not.toContain('deid.pixel-review');
      expect(firing(goodCt({ burnedInAnnotation: 'YES' }))).toContain('deid.pixel-review');
      expect(firing(fixture('patient-77654033/cr-cspine/CR1_6154_burned_in_annotation_flag.dcm'))).toContain('deid.pixel-review');
      expect(firing(goodCt(), { deidOutcome: 'needs-pixel-review' })).toContain('deid.pixel-review');
    });

    it("reports the de-identifier's triggers as they are, by keyword, never as a burned-in flag the file does not carry", () => {
      const cr = fixture('patient-77654033/cr-cspine/CR1_6154.dcm');
      const triggered = { deidOutcome: 'needs-pixel-review', pixelReview: ['radiograph-not-declared-clean'] } as const;
      expect(messagesOf(cr, 'deid.pixel-review', triggered)).toEqual([
        'radiograph (CR) not declared free of burned-in text: BurnedInAnnotation absent, ImageType not ORIGINAL',
      ]);
      expect(messagesOf(goodCt(), 'deid.pixel-review', { deidOutcome: 'needs-pixel-review', pixelReview: [] })).toEqual([
        'de-identification asked for pixel review (no trigger recorded)',
      ]);
      // A Secondary Capture trigger and the project's high-risk SOP class list say the same thing once.
      expect(messagesOf(makeDicom({ modality: 'OT' }), 'deid.pixel-review', { pixelReview: ['secondary-capture'] })).toEqual([
        'Secondary Capture SOP class: screenshots and scanned documents usually carry burned-in text, whatever BurnedInAnnotation says',
      ]);
    });

    it('sends a high-risk SOP class (Secondary Capture) to review', () => {
      expect(messagesOf(makeDicom({ modality: 'OT' }), 'deid.pixel-review')).toEqual([
        'the SOP class often carries burned-in text: pixels need review',
      ]);
    });
  });

  it('applies per-project severities: off skips a rule, warn publishes with a warning', () => {
    const burned = goodCt({ burnedInAnnotation: 'YES' });
    expect(evaluateInstance(burned, { config: config({ rules: { 'deid.pixel-review': 'warn' } }) }).outcome).toBe('warn');
    expect(evaluateInstance(makeDicom(), { config: config({ rules: { 'iod.type1-modality': 'off' } }) }).outcome).toBe('pass');
  });
});
