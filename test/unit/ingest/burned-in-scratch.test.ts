/**
 * The burned-in check's scratch (layers/ingest/burned-in/scratch.ts): a thread's checks one after another
 * reuse its arrays instead of allocating five megabytes each, a check that starts while another holds
 * them gets its own, and what an earlier, larger page left in them never shows in the next page or its
 * components (compared with session 10's passes, test/support/burned-in-reference.ts).
 */
import { readDicomHeader } from '../../../layers/dicom';
import { inkComponents } from '../../../layers/ingest/burned-in/ink-components';
import { inkPageOf } from '../../../layers/ingest/burned-in/ink-page';
import { CheckScratch, withScratch } from '../../../layers/ingest/burned-in/scratch';
import { drawTexts, grayImageDicom } from '../../support/burned-in-dicom';
import { referenceInkComponents, referenceInkOnPaper, referenceOcrImage } from '../../support/burned-in-reference';
import { outlinedRadiograph, syntheticRadiograph } from '../../support/text-raster';

const MAX_DIMENSION = 2600;

function labelled(rows: number, columns: number, seed: number): Uint8Array {
  const image = syntheticRadiograph(rows, columns, seed);
  drawTexts(image, [
    { text: 'KELLY 03/12/85', pixelSize: 14, left: 10, top: 10, value: 4095 },
    { text: 'MRN 4417', pixelSize: 12, left: 20, top: rows - 30, value: 0 },
  ]);
  return grayImageDicom(image, { modality: 'CR' });
}

describe("the burned-in check's scratch", () => {
  it('gives the checks of a thread one after another the same arrays', async () => {
    const pages: Uint8Array[] = [];
    const visited: Uint32Array[] = [];
    for (let i = 0; i < 2; i++) {
      await withScratch(async (scratch) => {
        pages.push(scratch.pageBytes(5000));
        visited.push(scratch.visitedBits(200));
      });
    }
    expect(pages[1]!.buffer).toBe(pages[0]!.buffer);
    expect(visited[1]!.buffer).toBe(visited[0]!.buffer);
  });

  it('gives a check that starts while another holds the scratch arrays of its own', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first: Uint8Array | undefined;
    const holding = withScratch(async (scratch) => {
      first = scratch.pageBytes(5000);
      first.fill(7);
      await held;
      return first.every((level) => level === 7); // untouched by the other check
    });
    const second = await withScratch(async (scratch) => {
      const page = scratch.pageBytes(5000);
      page.fill(9);
      return page;
    });
    release();
    expect(await holding).toBe(true);
    expect(second.buffer).not.toBe(first!.buffer);
  });

  it('clears the visited bits it hands out, whatever the last check left in them', () => {
    const scratch = new CheckScratch();
    scratch.visitedBits(64).fill(0xffffffff);
    expect(scratch.visitedBits(32).every((word) => word === 0)).toBe(true);
  });

  it('grows the pixel list keeping what it holds, and keeps it for the next check', () => {
    const scratch = new CheckScratch();
    const list = scratch.pixelList(4);
    list.set([5, 6, 7, 8]);
    const grown = scratch.grownPixelList(4);
    expect(grown.length).toBeGreaterThan(list.length);
    expect([...grown.subarray(0, 4)]).toEqual([5, 6, 7, 8]);
    expect(scratch.pixelList(4)).toBe(grown);
  });

  it("gives session 10's ink page and components after a larger page left its ink in the arrays", async () => {
    const scratch = new CheckScratch();
    // A larger page first, with more ink than the pixel list's first length: its bytes, bits and list are left behind.
    const large = grayImageDicom(outlinedRadiograph(625, 512, 3), { modality: 'DX' });
    const largePage = await inkPageOf(large, MAX_DIMENSION, readDicomHeader(large).dict, scratch);
    const largeInk = inkComponents(largePage, scratch);
    expect(largeInk.components.at(-1)!.end).toBeGreaterThan(4096);

    for (const bytes of [labelled(225, 193, 7), labelled(161, 130, 11)]) {
      const reference = referenceInkOnPaper(await referenceOcrImage(bytes, MAX_DIMENSION));
      const page = await inkPageOf(bytes, MAX_DIMENSION, readDicomHeader(bytes).dict, scratch);
      expect(page.gray.buffer).toBe(largePage.gray.buffer); // the same array, not a new one
      expect(page.gray.length).toBe(reference.gray.length);
      expect(Buffer.from(page.gray).equals(Buffer.from(reference.gray))).toBe(true);
      const found = inkComponents(page, scratch);
      const expected = referenceInkComponents(reference);
      expect(found.components.length).toBeGreaterThan(0);
      expect(found.components).toEqual(expected.components);
      const end = expected.components.at(-1)!.end;
      expect(found.pixels.subarray(0, end)).toEqual(expected.pixels.subarray(0, end));
    }
  });
});
