/**
 * The verifier's pixel check for the Clean Pixel Data Option (issue 18): a copy that records 113101
 * passes when it differs from its original exactly in the blanked regions of the layout the
 * original's device matches; a pixel changed outside them, a region left unblanked, or 113101 on a
 * file of no tabled layout fails with a named check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanPixelData,
  DEFAULT_PROFILE,
  deidentify,
  storedFrames,
  transcodeToExplicitLittleEndian,
  verificationNeedsDecodedOriginal,
  verifyDeidentified,
} from '../../../layers/dicom';
import { readDicomFile, writeDicomFile } from '../../../layers/dicom/dcmjs';
import { withMethodCode } from '../../../layers/dicom/pixels/clean/method-code';
import { makeDicom } from '../../support/synthetic-dicom';

const KEYS = { secret: 'a project secret of the commons, 32+ chars', project: 'p', site: 's', profile: DEFAULT_PROFILE };
const CLEAN = { value: '113101', meaning: 'Clean Pixel Data Option' };

/** A Philips iU22 ultrasound of 480 rows: the table blanks its top banner, [0, 0, 640, 47]. */
const iu22 = (): Uint8Array =>
  makeDicom({ modality: 'US', rows: 480, columns: 640, elements: { '00081090': { vr: 'LO', Value: ['iU22'] } } });

async function cleaned(original: Uint8Array): Promise<Uint8Array> {
  const result = await cleanPixelData(original, deidentify(original, KEYS).bytes);
  if (result.status !== 'cleaned') throw new Error('expected a tabled layout');
  return result.bytes;
}

/** A copy of `part10` with the 16-bit sample at (x, y) of the first frame set to `value`. */
function withSample(part10: Uint8Array, x: number, y: number, value: number): Uint8Array {
  const copy = new Uint8Array(part10);
  const { frames, pixel } = storedFrames(copy);
  new DataView(frames[0]!.buffer, frames[0]!.byteOffset).setUint16((y * pixel.columns + x) * 2, value, true);
  return copy;
}

const failuresOf = (original: Uint8Array, output: Uint8Array, decoded?: Uint8Array) =>
  verifyDeidentified(original, output, DEFAULT_PROFILE, decoded).failures;

describe("pixel-data-unchanged for a copy cleaned by its layout's regions (113101)", () => {
  const original = iu22();
  let output: Uint8Array;
  beforeAll(async () => {
    output = await cleaned(original);
  });

  it('passes a copy whose only changed pixels are the blanked regions of its tabled layout', () => {
    expect(failuresOf(original, output)).toEqual([]);
  });

  it('fails a cleaned copy with one pixel changed outside the regions', () => {
    expect(failuresOf(original, withSample(output, 5, 100, 1234))).toEqual([{ check: 'pixel-data-unchanged', keyword: 'PixelData' }]);
  });

  it('fails a cleaned copy whose region still holds something (not one blank value)', () => {
    expect(failuresOf(original, withSample(output, 300, 20, 4000))).toEqual([{ check: 'clean-pixel-data-blank', keyword: 'PixelData' }]);
  });

  it('fails 113101 recorded on a file whose device matches no tabled layout', async () => {
    const original = makeDicom({ modality: 'CT', rows: 32, columns: 32 });
    const output = withMethodCode(deidentify(original, KEYS).bytes, CLEAN);
    expect(failuresOf(original, output)).toEqual([{ check: 'clean-pixel-data-layout', keyword: 'DeidentificationMethodCodeSequence' }]);
  });

  it('still fails a copy of a tabled device whose regions were blanked without 113101 recorded', () => {
    const output = withSample(deidentify(original, KEYS).bytes, 300, 20, 0);
    expect(failuresOf(original, output)).toEqual([{ check: 'pixel-data-unchanged', keyword: 'PixelData' }]);
  });

  it('compares a cleaned copy of a compressed original with the original decoded, and fails without it', async () => {
    // The RLE sample as a GE dose report screen (a tabled layout): its pixels are decoded, blanked and written natively.
    const file = readDicomFile(new Uint8Array(readFileSync(join(__dirname, '../../fixtures/dicom/transfer-syntax/MR_small_RLE.dcm'))));
    file.dict['00080070'] = { vr: 'LO', Value: ['GE MEDICAL SYSTEMS'] };
    file.dict['0008103E'] = { vr: 'LO', Value: ['Dose Report'] };
    const original = writeDicomFile(file);
    const output = await cleaned(original);
    expect(verificationNeedsDecodedOriginal(original, output)).toBe(true);
    expect(failuresOf(original, output, await transcodeToExplicitLittleEndian(original))).toEqual([]);
    expect(failuresOf(original, output)).toEqual([{ check: 'pixel-data-unchanged', keyword: 'PixelData' }]);
  });
});
