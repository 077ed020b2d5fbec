import { deidentify, IN_SCOPE_MODALITIES, runInstanceQa } from '../../../layers/dicom';
import { readDicomFile, writeDicomFile } from '../../../layers/dicom/dcmjs';
import { makeDicom } from '../../support/synthetic-dicom';
import { fixture, SECRET } from './helpers';

function without(bytes: Uint8Array, ...keys: string[]): Uint8Array {
  const file = readDicomFile(bytes);
  for (const key of keys) delete file.dict[key];
  return writeDicomFile(file);
}

describe('runInstanceQa', () => {
  const good = deidentify(makeDicom(), SECRET);

  it('passes a de-identified in-scope instance with no findings', () => {
    expect(runInstanceQa(good.bytes, good.outcome)).toEqual({ outcome: 'pass', findings: [] });
  });

  it.each(IN_SCOPE_MODALITIES)('passes modality %s', (modality) => {
    expect(runInstanceQa(makeDicom({ modality }), 'ok').outcome).toBe('pass');
  });

  it('deid.needs-pixel-review quarantines an instance flagged for burned-in annotation', () => {
    const flagged = deidentify(fixture('patient-77654033/cr-cspine/CR1_6154_burned_in_annotation_flag.dcm'), SECRET);
    expect(runInstanceQa(flagged.bytes, flagged.outcome)).toEqual({
      outcome: 'quarantine',
      findings: [{ ruleId: 'deid.needs-pixel-review', severity: 'quarantine', message: expect.stringContaining('BurnedInAnnotation') }],
    });
  });

  it('modality.in-scope quarantines an out-of-scope modality and a missing one', () => {
    expect(runInstanceQa(makeDicom({ modality: 'US' }), 'ok').findings.map((f) => f.ruleId)).toEqual(['modality.in-scope']);
    expect(runInstanceQa(without(makeDicom(), '00080060'), 'ok').findings).toEqual([
      { ruleId: 'modality.in-scope', severity: 'quarantine', message: 'Modality is missing' },
    ]);
    const sr = deidentify(fixture('sequences/test-SR.dcm'), SECRET);
    expect(runInstanceQa(sr.bytes, sr.outcome).findings.map((f) => f.ruleId)).toEqual(['modality.in-scope', 'pixel.present']);
  });

  it('pixel.present quarantines an instance without Pixel Data', () => {
    expect(runInstanceQa(without(makeDicom(), '7FE00010'), 'ok')).toEqual({
      outcome: 'quarantine',
      findings: [{ ruleId: 'pixel.present', severity: 'quarantine', message: 'no PixelData in the instance' }],
    });
  });

  it('uids.present quarantines an instance missing Study and Series UIDs, naming them', () => {
    expect(runInstanceQa(without(makeDicom(), '0020000D', '0020000E'), 'ok').findings).toEqual([
      { ruleId: 'uids.present', severity: 'quarantine', message: 'missing StudyInstanceUID, SeriesInstanceUID' },
    ]);
  });

  it('uids.present quarantines bytes that cannot be read at all', () => {
    expect(runInstanceQa(new Uint8Array([1, 2, 3]), 'ok')).toEqual({
      outcome: 'quarantine',
      findings: [{ ruleId: 'uids.present', severity: 'quarantine', message: 'the instance could not be read' }],
    });
  });
});
