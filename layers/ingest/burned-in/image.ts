/**
 * The copy OCR reads: the first frame decoded (any syntax hilum decodes), rendered to 8-bit
 * grayscale over the frame's own value range (not the header's window, which may saturate text
 * burned in at the extremes), and downsampled by an integer factor so its longer side fits.
 */
import { decodeFrame, readDicomHeader, storedFrames, type DataSet } from '../../dicom';
import { renderAttributes, renderFrame, type RenderableFrame, type RenderAttributes } from '../../dicomweb/render';

export interface OcrImage {
  readonly width: number;
  readonly height: number;
  /** 8-bit gray, row by row. */
  readonly gray: Uint8Array;
  /** Original pixels per OCR pixel along each axis. */
  readonly factor: number;
}

export async function ocrImageOf(part10: Uint8Array, maxDimension: number, dict?: DataSet): Promise<OcrImage> {
  const stored = storedFrames(part10);
  const first = stored.frames[0];
  if (!first) throw new Error('the instance has no frame');
  const decoded = await decodeFrame(first, stored.transferSyntaxUid, stored.pixel);
  return ocrImageOfFrame(decoded, ownRangeAttributes(dict ?? readDicomHeader(part10).dict), maxDimension);
}

/** The first frame's rendering attributes without the header's windows and VOI LUT: rendered over the frame's own range. */
export function ownRangeAttributes(dict: DataSet): RenderAttributes {
  const { windows: _windows, voiLut: _voiLut, ...rest } = renderAttributes(dict, 0);
  return { ...rest, windows: [] };
}

/** A decoded frame rendered with `attributes` (ownRangeAttributes) and downsampled to fit. */
export function ocrImageOfFrame(decoded: RenderableFrame, attributes: RenderAttributes, maxDimension: number): OcrImage {
  const rendered = renderFrame(decoded, attributes);
  const gray = rendered.channels === 1 ? rendered.data : luminance(rendered.data);
  return downsample(
    rendered.width,
    rendered.height,
    gray,
    Math.max(1, Math.ceil(Math.max(rendered.width, rendered.height) / maxDimension)),
  );
}

function luminance(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!);
  return out;
}

/** Box average by `factor` (1: the image itself). */
export function downsample(width: number, height: number, gray: Uint8Array, factor: number): OcrImage {
  if (factor === 1) return { width, height, gray, factor };
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const out = new Uint8Array(w * h);
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += gray[row + dx]!;
      }
      out[y * w + x] = Math.round(sum / area);
    }
  }
  return { width: w, height: h, gray: out, factor };
}

/** A binary PGM (P5): the plainest image format Tesseract's reader takes. */
export function asPgm(image: OcrImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
  const out = new Uint8Array(header.length + image.gray.length);
  out.set(header);
  out.set(image.gray, header.length);
  return out;
}
