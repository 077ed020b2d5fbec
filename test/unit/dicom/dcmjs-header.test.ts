/**
 * readDicomHeader hands dcmjs the bytes up to the Pixel Data tag, where dcmjs stops reading: the same header as
 * from the whole file, without copying the pixels (a radiograph's 10 MB, on every burned-in text check).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readDicomHeader } from '../../../layers/dicom/dcmjs';
import { checkInflation, scanPart10 } from '../../../layers/dicom/part10';
import { makeDicom } from '../../support/synthetic-dicom';
import { makeDeflateBomb } from '../../support/deflate-bomb';

// The reading readDicomHeader did before: the inflation check, then dcmjs given the whole file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs') as {
  data: { DicomMessage: { readFile(buffer: ArrayBuffer, options: Record<string, unknown>): { meta: unknown; dict: unknown } } };
};
function wholeFileHeader(bytes: Uint8Array): unknown {
  checkInflation(bytes);
  const parsed = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer, { untilTag: '7FE00010', includeUntilTagValue: false });
  return comparable({ meta: parsed.meta, dict: parsed.dict });
}

/** Binary values as hex, so that two readings compare by content. */
function comparable(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('hex');
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  return value;
}

function outcome(read: () => unknown): unknown {
  try {
    return read();
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

function fixtures(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? fixtures(path) : name.endsWith('.dcm') ? [path] : [];
  });
}

const ICON_PIXELS = new Uint8Array(64 * 64).fill(9).buffer;
const withIcon = makeDicom({
  rows: 64,
  columns: 64,
  // An Icon Image Sequence: a Pixel Data nested in an item, before the image's own.
  elements: {
    '00880200': {
      vr: 'SQ',
      Value: [
        {
          '00280010': { vr: 'US', Value: [64] },
          '00280011': { vr: 'US', Value: [64] },
          '00280100': { vr: 'US', Value: [8] },
          '7FE00010': { vr: 'OB', Value: [ICON_PIXELS] },
        },
      ],
    },
  } as never,
});
/** The file cut just before its Pixel Data (the synthetic files' last element). */
function withoutPixelData(bytes: Uint8Array): Uint8Array {
  const pixelData = scanPart10(bytes).elements.find((e) => e.depth === 0 && e.key === '7FE00010');
  return bytes.subarray(0, pixelData!.headerStart);
}
const radiograph = makeDicom({ modality: 'DX', rows: 2500, columns: 2048 });

describe('readDicomHeader', () => {
  const dir = join(__dirname, '../../fixtures/dicom');
  it.each(fixtures(dir).map((path) => [path.slice(dir.length + 1), path]))(
    'reads %s as dcmjs reads the whole file (or fails as it does)',
    (_name, path) => {
      const bytes = new Uint8Array(readFileSync(path));
      expect(outcome(() => comparable(readDicomHeader(bytes)))).toEqual(outcome(() => wholeFileHeader(bytes)));
    },
  );

  it.each([
    ['a CT slice', () => makeDicom({ rows: 512, columns: 512 })],
    ['a radiograph', () => radiograph],
    ['an image with an icon in a sequence', () => withIcon],
    ['a file without Pixel Data', () => withoutPixelData(makeDicom({ rows: 64, columns: 64 }))],
    ['a file whose pixels are cut short', () => makeDicom({ rows: 64, columns: 64 }).subarray(0, -100)],
  ])('reads %s as dcmjs reads the whole file', (_name, make) => {
    const bytes = make();
    expect(outcome(() => comparable(readDicomHeader(bytes)))).toEqual(outcome(() => wholeFileHeader(bytes)));
  });

  it('reads a deflated file as dcmjs reads the whole file', async () => {
    const bytes = new Uint8Array(await makeDeflateBomb(16_384 * 2 * 4));
    expect(comparable(readDicomHeader(bytes))).toEqual(wholeFileHeader(bytes));
  });

  it('copies the header for dcmjs, not the pixels', () => {
    const copied: number[] = [];
    const slice = ArrayBuffer.prototype.slice;
    const spy = jest.spyOn(ArrayBuffer.prototype, 'slice').mockImplementation(function (this: ArrayBuffer, ...args) {
      const copy = slice.apply(this, args);
      copied.push(copy.byteLength);
      return copy;
    });
    try {
      readDicomHeader(radiograph);
    } finally {
      spy.mockRestore();
    }
    expect(radiograph.byteLength).toBeGreaterThan(10_000_000);
    expect(Math.max(...copied)).toBeLessThan(16 * 1024);
  });
});
