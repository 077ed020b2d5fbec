/**
 * The OCR text regions of a quarantined file (issue 18: boxes in the original frame's pixels and
 * token classes, never the text) placed on the curator's pixel preview, which the commons renders
 * fitted into 512 x 512. The preview's answer names the frame's size (`X-Hilum-Source-Size`), so
 * each axis scales by the preview's size over the frame's: exact even where rounding made the
 * preview's aspect ratio differ slightly from the frame's.
 */

export interface TextRegion {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly classes: readonly string[];
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A region in the preview's pixels, clipped to the preview. */
export interface PreviewBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly classes: readonly string[];
}

/** `640x480` -> { width: 640, height: 480 }; anything else (absent, malformed, zero) -> undefined. */
export function parseSourceSize(header: string | null | undefined): Size | undefined {
  const match = /^\s*(\d{1,6})x(\d{1,6})\s*$/.exec(header ?? '');
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Each region scaled from the frame's pixels onto the preview, clipped to it; regions wholly outside are left out. */
export function previewBoxes(regions: readonly TextRegion[], source: Size, preview: Size): PreviewBox[] {
  const sx = preview.width / source.width;
  const sy = preview.height / source.height;
  const boxes: PreviewBox[] = [];
  for (const r of regions) {
    const x0 = Math.max(0, r.x * sx);
    const y0 = Math.max(0, r.y * sy);
    const x1 = Math.min(preview.width, (r.x + r.width) * sx);
    const y1 = Math.min(preview.height, (r.y + r.height) * sy);
    if (x1 <= x0 || y1 <= y0) continue;
    boxes.push({ x: round1(x0), y: round1(y0), width: round1(x1 - x0), height: round1(y1 - y0), classes: r.classes });
  }
  return boxes;
}

/** Where a region lies in the frame, in words (`top left`, `middle`, `bottom right`...), by its centre's third of each axis. */
export function placeOf(region: Pick<TextRegion, 'x' | 'y' | 'width' | 'height'>, source: Size): string {
  const third = (centre: number, length: number): 0 | 1 | 2 => (centre < length / 3 ? 0 : centre < (2 * length) / 3 ? 1 : 2);
  const col = third(region.x + region.width / 2, source.width);
  const row = third(region.y + region.height / 2, source.height);
  if (row === 1 && col === 1) return 'middle';
  const vertical = ['top', 'middle', 'bottom'][row]!;
  const horizontal = ['left', 'centre', 'right'][col]!;
  return `${vertical} ${horizontal}`;
}

/** A token class as words: `known-identifier` -> `known identifier`. */
export const classText = (classes: readonly string[]): string =>
  classes.length ? classes.map((c) => c.replace(/-/g, ' ')).join(', ') : 'text';

/** One region for the accessible list: its classes, where it is, and its box in the frame's pixels (the frame's size when known). */
export function describeRegion(region: TextRegion, source: Size | undefined): string {
  const x = Math.round(region.x);
  const y = Math.round(region.y);
  const box = `x ${x}–${x + Math.round(region.width)}, y ${y}–${y + Math.round(region.height)}`;
  return source
    ? `${classText(region.classes)}, ${placeOf(region, source)} (${box} of ${source.width} × ${source.height} pixels)`
    : `${classText(region.classes)} (${box} pixels)`;
}
