/**
 * The Clean Pixel Data Option for known layouts (issue 18): a layout's regions are blanked in every
 * frame, every other pixel byte is the input's, 113101 joins the De-identification Method Code
 * Sequence, and a compressed image is decoded and written as Explicit VR Little Endian first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deidentify,
  DEFAULT_PROFILE,
  readDicomFile,
  scanPart10,
  storedFrames,
  transcodeToExplicitLittleEndian,
} from '../../../../layers/dicom';
import {
  blankRegions,
  CLEAN_PIXEL_LAYOUTS,
  cleanPixelData,
  CleanPixelDataRefused,
  layoutFor,
  type CleanLayout,
} from '../../../../layers/dicom/pixels/clean';
import { makeDicom } from '../../../support/synthetic-dicom';

const KEYS = { secret: 'a project secret of the commons, 32+ chars', project: 'p', site: 's', profile: DEFAULT_PROFILE };
const deidentified = (bytes: Uint8Array): Uint8Array => deidentify(bytes, KEYS).bytes;

/** Sample values of the first frame (16-bit little endian). */
function samples(part10: Uint8Array): Uint16Array {
  const [frame] = storedFrames(part10).frames;
  return new Uint16Array(new Uint8Array(frame!).buffer);
}

const inside = (x: number, y: number, [rx, ry, rw, rh]: readonly number[]) => x >= rx! && x < rx! + rw! && y >= ry! && y < ry! + rh!;

const codesOf = (part10: Uint8Array): string[] =>
  ((readDicomFile(part10).dict['00120064']?.Value ?? []) as Record<string, { Value?: string[] }>[]).map(
    (item) => item['00080100']?.Value?.[0] ?? '',
  );

describe('the layout table', () => {
  it('every row names its source and gives regions of four non-negative numbers', () => {
    expect(CLEAN_PIXEL_LAYOUTS.length).toBeGreaterThan(0);
    for (const row of CLEAN_PIXEL_LAYOUTS) {
      expect(row.source).toMatch(/DicomPixelAnonymizer/);
      for (const region of row.regions) expect(region.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
    }
  });

  it('matches a layout only when every condition holds (contains ignores case, equals is exact)', () => {
    const canon = { Manufacturer: ['Canon Inc.'], ManufacturerModelName: ['cxdi-70C'], Rows: ['2592'] };
    expect(layoutFor(canon)?.id).toBe('canon-cxdi-2592');
    expect(layoutFor({ ...canon, Rows: ['2000'] })).toBeUndefined();
    expect(layoutFor({ Manufacturer: ['Canon Inc.'], Rows: ['2592'] })).toBeUndefined();
  });
});

describe('Clean Pixel Data', () => {
  const layout: CleanLayout = {
    id: 'test-acme',
    description: 'test layout',
    match: { Manufacturer: { contains: 'acme' } },
    regions: [
      [2, 3, 10, 4],
      [30, 20, 50, 50], // runs past the image: clipped
    ],
    source: 'test (DicomPixelAnonymizer-like row)',
  };

  it('blanks the regions of a native image and leaves every other pixel byte-identical', async () => {
    const original = makeDicom({ modality: 'CR', rows: 24, columns: 40 });
    const output = deidentified(original);
    const result = await cleanPixelData(original, output, [layout]);
    if (result.status !== 'cleaned') throw new Error('expected the test layout to match');
    expect(result.transcoded).toBe(false);
    const before = samples(output);
    const after = samples(result.bytes);
    let blanked = 0;
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 40; x++) {
        const i = y * 40 + x;
        if (layout.regions.some((r) => inside(x, y, r))) {
          expect(after[i]).toBe(0);
          blanked++;
        } else expect(after[i]).toBe(before[i]);
      }
    }
    expect(blanked).toBe(10 * 4 + 10 * 4);
    expect(codesOf(result.bytes)).toEqual([...codesOf(output), '113101']);
  });

  it('records nothing and changes nothing for a file of no known layout', async () => {
    const original = makeDicom({ modality: 'CR', rows: 8, columns: 8 });
    expect(await cleanPixelData(original, deidentified(original))).toEqual({ status: 'no-known-layout' });
  });

  it('decodes a compressed (RLE) image, blanks it, and writes it as Explicit VR Little Endian', async () => {
    const original = new Uint8Array(readFileSync(join(__dirname, '../../../fixtures/dicom/transfer-syntax/MR_small_RLE.dcm')));
    const output = deidentified(original);
    const region = [4, 4, 16, 8] as const;
    const { bytes, transcoded } = await blankRegions(output, [region]);
    expect(transcoded).toBe(true);
    expect(scanPart10(bytes).transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    const decoded = samples(await transcodeToExplicitLittleEndian(output));
    const after = samples(bytes);
    const { columns, rows } = storedFrames(bytes).pixel;
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        const i = y * columns + x;
        // MR_small is signed 16-bit: black is its lowest value, -32768 (0x8000 as stored).
        expect(after[i]).toBe(inside(x, y, region) ? 0x8000 : decoded[i]);
      }
    }
  });

  it('blanks MONOCHROME1 to its highest value (black as displayed) and refuses a palette image with a value-free reason', async () => {
    const mono1 = makeDicom({ modality: 'CR', rows: 8, columns: 8, elements: { '00280004': { vr: 'CS', Value: ['MONOCHROME1'] } } });
    expect(samples((await blankRegions(mono1, [[0, 0, 1, 1]])).bytes)[0]).toBe(4095);
    const palette = makeDicom({ modality: 'CR', rows: 8, columns: 8, elements: { '00280004': { vr: 'CS', Value: ['PALETTE COLOR'] } } });
    await expect(blankRegions(palette, [[0, 0, 1, 1]])).rejects.toThrow(CleanPixelDataRefused);
  });
});
