/**
 * Radiographs with text burned into their pixels (DejaVu, rasterized by text-raster.ts), as Part 10
 * files from makeDicom: the burned-in text tests and the end-to-end test build their images here.
 */
import { makeDicom, type SyntheticDicomOptions } from './synthetic-dicom';
import { burnIn, rasterizeText, syntheticRadiograph, TrueTypeFont, type DejaVuFace, type GrayImage } from './text-raster';

export interface BurnedText {
  readonly text: string;
  readonly pixelSize: number;
  readonly left: number;
  readonly top: number;
  /** Stored value the text is drawn with (default the 12-bit maximum). */
  readonly value?: number;
  readonly face?: DejaVuFace;
}

/** Where each text was drawn: its mask's box in the image's pixels. */
export interface DrawnBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export function drawTexts(image: GrayImage, texts: readonly BurnedText[]): DrawnBox[] {
  return texts.map((t) => {
    const mask = rasterizeText(TrueTypeFont.dejaVu(t.face ?? 'DejaVuSans'), t.text, t.pixelSize);
    burnIn(image, mask, t.left, t.top, t.value ?? 4095);
    return { x: t.left, y: t.top, width: mask.width, height: mask.height };
  });
}

export function grayImageDicom(image: GrayImage, options: SyntheticDicomOptions = {}): Uint8Array {
  const bytes = new Uint8Array(image.pixels.length * 2);
  const view = new DataView(bytes.buffer);
  image.pixels.forEach((p, i) => view.setUint16(i * 2, p, true));
  return makeDicom({
    modality: 'CR',
    ...options,
    rows: image.rows,
    columns: image.columns,
    elements: { '7FE00010': { vr: 'OW', Value: [bytes.buffer] }, ...options.elements },
  });
}

/** A CR of `rows` x `columns` (seeded background) with `texts` burned in. */
export function radiographWithText(
  rows: number,
  columns: number,
  texts: readonly BurnedText[],
  options: SyntheticDicomOptions & { seed?: number } = {},
): { bytes: Uint8Array; boxes: DrawnBox[] } {
  const image = syntheticRadiograph(rows, columns, options.seed ?? 1);
  const boxes = drawTexts(image, texts);
  return { bytes: grayImageDicom(image, options), boxes };
}

/** True when two boxes overlap. */
export function overlaps(a: DrawnBox, b: DrawnBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
