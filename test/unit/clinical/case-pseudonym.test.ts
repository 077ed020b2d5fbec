/** A case id and the PatientID it names become the same pseudonym, so cases link to de-identified studies. */
import { casePseudonym } from '../../../layers/clinical';
import { deidentify } from '../../../layers/dicom';
import { catalogAttributes } from '../../../layers/dicom/summary';
import { scanPart10 } from '../../../layers/dicom/part10';
import { makeDicom } from '../../support/synthetic-dicom';

describe('casePseudonym', () => {
  const keys = { secret: 'test-secret-0123456789abcdef', project: 'lung-study', site: 'site-a' };

  it('equals the PatientID the de-identifier writes for that patient', () => {
    const output = deidentify(makeDicom({ patient: { id: 'MRN-4411' } }), keys);
    const written = catalogAttributes(scanPart10(output.bytes)).patientId;
    expect(written).toMatch(/^HILUM-[0-9A-F]{16}$/);
    expect(casePseudonym('MRN-4411', keys)).toBe(written);
    expect(casePseudonym(' MRN-4411 ', keys)).toBe(written);
  });

  it('differs across patients, across projects and across the sites that issued the id', () => {
    expect(casePseudonym('MRN-4411', keys)).not.toBe(casePseudonym('MRN-4412', keys));
    expect(casePseudonym('MRN-4411', keys)).not.toBe(casePseudonym('MRN-4411', { ...keys, project: 'other' }));
    expect(casePseudonym('MRN-4411', keys)).not.toBe(casePseudonym('MRN-4411', { ...keys, site: 'site-b' }));
  });

  it("equals the PatientID written at the same site, not another site's", () => {
    const atB = deidentify(makeDicom({ patient: { id: 'MRN-4411' } }), { ...keys, site: 'site-b' });
    const writtenAtB = catalogAttributes(scanPart10(atB.bytes)).patientId;
    expect(casePseudonym('MRN-4411', { ...keys, site: 'site-b' })).toBe(writtenAtB);
    expect(casePseudonym('MRN-4411', keys)).not.toBe(writtenAtB);
  });
});
