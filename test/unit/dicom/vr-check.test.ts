/**
 * misplacedElements: one flag per element for a value under a tag whose dictionary VRs do not include its explicit
 * VR, made once per scanned file (the verifier asks for each file's flags twice: its VR check, its values and needles).
 */
import { readDicomFile, writeDicomFile } from '../../../layers/dicom/dcmjs';
import { scanPart10 } from '../../../layers/dicom/part10';
import { misplacedElements } from '../../../layers/dicom/verify/vr-check';
import { makeDicom } from '../../support/synthetic-dicom';

describe('misplacedElements', () => {
  const file = readDicomFile(makeDicom());
  // Manufacturer (0008,0070) is LO: a PN there is a name moved under another attribute's tag.
  file.dict['00080070'] = { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] };
  const scanned = scanPart10(writeDicomFile(file));

  it('flags the element whose VR the dictionary does not allow for its tag, and no other', () => {
    const flagged = misplacedElements(scanned).flatMap((flag, i) => (flag ? [scanned.elements[i]?.key] : []));
    expect(flagged).toEqual(['00080070']);
  });

  it('is made once per scanned file', () => {
    expect(misplacedElements(scanned)).toBe(misplacedElements(scanned));
    expect(misplacedElements(scanPart10(scanned.bytes))).not.toBe(misplacedElements(scanned));
    expect(misplacedElements(scanPart10(scanned.bytes))).toEqual(misplacedElements(scanned));
  });
});
