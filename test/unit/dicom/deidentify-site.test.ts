/**
 * Pseudonyms and date shifts are keyed by the site that issued the patient ids
 * (issue 11, S6): the same PatientID at two sites is two patients, and nothing of
 * one site's patient can be derived from the other's. UIDs stay site-free.
 */
import { deidentify } from '../../../layers/dicom';
import { catalogAttributes } from '../../../layers/dicom/summary';
import { scanPart10 } from '../../../layers/dicom/part10';
import { readDicomFile } from '../../../layers/dicom/dcmjs';
import { makeDicom } from '../../support/synthetic-dicom';
import { SECRET } from './helpers';

const first = (dict: Record<string, { Value?: unknown[] }>, tag: string) => dict[tag]?.Value?.[0];

describe('de-identification keyed by the issuing site', () => {
  const original = makeDicom({ patient: { id: 'MRN-2024-0001' }, studyInstanceUid: '1.2.826.0.1.3680043.8.498.6006.1' });
  const atA = deidentify(original, { ...SECRET, site: 'site-a' });
  const atB = deidentify(original, { ...SECRET, site: 'site-b' });
  const a = readDicomFile(atA.bytes).dict;
  const b = readDicomFile(atB.bytes).dict;

  it('gives the same PatientID at two sites two pseudonyms (PatientID and PatientName)', () => {
    expect(catalogAttributes(scanPart10(atA.bytes)).patientId).toMatch(/^HILUM-/);
    expect(first(a, '00100020')).not.toBe(first(b, '00100020'));
    expect(first(a, '00100010')).not.toBe(first(b, '00100010'));
  });

  it('shifts the dates of the two patients independently', () => {
    const studyDates = [first(a, '00080020'), first(b, '00080020')];
    expect(studyDates[0]).toMatch(/^\d{8}$/);
    // Two independent keyed shifts in [minShiftDays, maxShiftDays] may coincide by chance; these do not.
    expect(studyDates[0]).not.toBe(studyDates[1]);
  });

  it('keeps UIDs the same: they are globally unique, not issued per site', () => {
    expect(atA.summary.studyInstanceUid).toBe(atB.summary.studyInstanceUid);
    expect(atA.summary.sopInstanceUid).toBe(atB.summary.sopInstanceUid);
  });

  it('is stable for one site', () => {
    expect(Buffer.from(deidentify(original, { ...SECRET, site: 'site-a' }).bytes).equals(Buffer.from(atA.bytes))).toBe(true);
  });

  it('refuses to de-identify without the issuing site', () => {
    expect(() => deidentify(original, { secret: SECRET.secret, project: SECRET.project } as typeof SECRET)).toThrow(
      'site that issued the patient ids',
    );
  });
});
