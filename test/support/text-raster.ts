/**
 * Text rendered into synthetic pixels, for the burned-in text tests and bench: a small TrueType
 * reader (cmap format 4, simple and composite glyf outlines) and a 4x4-supersampled non-zero
 * winding rasterizer, written here so no font package is needed. The fonts are Debian's DejaVu
 * (fonts-dejavu-core, installed with chromium; .ci/run installs it), read from disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DEJAVU_DIR = '/usr/share/fonts/truetype/dejavu';

/** The DejaVu faces the synthetic sets draw with. */
export const DEJAVU_FACES = ['DejaVuSans', 'DejaVuSans-Bold', 'DejaVuSansMono', 'DejaVuSerif', 'DejaVuSansCondensed'] as const;
export type DejaVuFace = (typeof DEJAVU_FACES)[number];

interface Point {
  x: number;
  y: number;
  on: boolean;
}
type Contour = Point[];

/** A glyph's contours in font units, y up. */
interface Outline {
  contours: Contour[];
}

export class TrueTypeFont {
  private readonly view: DataView;
  private readonly tables = new Map<string, number>();
  readonly unitsPerEm: number;
  private readonly longLoca: boolean;
  private readonly numberOfHMetrics: number;
  private readonly cmap = new Map<number, number>();
  private readonly outlines = new Map<number, Outline>();

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const numTables = this.view.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const record = 12 + i * 16;
      const tag = String.fromCharCode(...bytes.subarray(record, record + 4));
      this.tables.set(tag, this.view.getUint32(record + 8));
    }
    const head = this.table('head');
    this.unitsPerEm = this.view.getUint16(head + 18);
    this.longLoca = this.view.getInt16(head + 50) === 1;
    this.numberOfHMetrics = this.view.getUint16(this.table('hhea') + 34);
    this.readCmap();
  }

  static dejaVu(face: DejaVuFace): TrueTypeFont {
    const path = join(DEJAVU_DIR, `${face}.ttf`);
    if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's fonts-dejavu-core (.ci/run does)`);
    return new TrueTypeFont(new Uint8Array(readFileSync(path)));
  }

  private table(tag: string): number {
    const offset = this.tables.get(tag);
    if (offset === undefined) throw new Error(`font has no ${tag} table`);
    return offset;
  }

  private readCmap(): void {
    const cmap = this.table('cmap');
    const count = this.view.getUint16(cmap + 2);
    for (let i = 0; i < count; i++) {
      const platform = this.view.getUint16(cmap + 4 + i * 8);
      const encoding = this.view.getUint16(cmap + 6 + i * 8);
      const sub = cmap + this.view.getUint32(cmap + 8 + i * 8);
      if (platform !== 3 || encoding !== 1 || this.view.getUint16(sub) !== 4) continue;
      const segX2 = this.view.getUint16(sub + 6);
      const ends = sub + 14;
      const starts = ends + segX2 + 2;
      const deltas = starts + segX2;
      const ranges = deltas + segX2;
      for (let s = 0; s < segX2 / 2; s++) {
        const end = this.view.getUint16(ends + s * 2);
        const start = this.view.getUint16(starts + s * 2);
        const delta = this.view.getInt16(deltas + s * 2);
        const rangeOffset = this.view.getUint16(ranges + s * 2);
        for (let c = start; c <= end && c < 0x3000 && c !== 0xffff; c++) {
          let glyph: number;
          if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
          else {
            const at = ranges + s * 2 + rangeOffset + (c - start) * 2;
            glyph = this.view.getUint16(at);
            if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
          }
          this.cmap.set(c, glyph);
        }
      }
      return;
    }
    throw new Error('font has no Unicode BMP cmap (3,1,4)');
  }

  glyphIndex(char: string): number {
    return this.cmap.get(char.codePointAt(0) ?? 0) ?? 0;
  }

  advance(glyph: number): number {
    const index = Math.min(glyph, this.numberOfHMetrics - 1);
    return this.view.getUint16(this.table('hmtx') + index * 4);
  }

  outline(glyph: number): Outline {
    const cached = this.outlines.get(glyph);
    if (cached) return cached;
    const outline = this.readOutline(glyph);
    this.outlines.set(glyph, outline);
    return outline;
  }

  private readOutline(glyph: number): Outline {
    const loca = this.table('loca');
    const start = this.longLoca ? this.view.getUint32(loca + glyph * 4) : this.view.getUint16(loca + glyph * 2) * 2;
    const end = this.longLoca ? this.view.getUint32(loca + glyph * 4 + 4) : this.view.getUint16(loca + glyph * 2 + 2) * 2;
    if (end <= start) return { contours: [] };
    const at = this.table('glyf') + start;
    const contourCount = this.view.getInt16(at);
    return contourCount >= 0 ? this.simpleOutline(at, contourCount) : this.compositeOutline(at);
  }

  private simpleOutline(at: number, contourCount: number): Outline {
    const v = this.view;
    const endPoints: number[] = [];
    for (let i = 0; i < contourCount; i++) endPoints.push(v.getUint16(at + 10 + i * 2));
    const pointCount = contourCount === 0 ? 0 : endPoints[contourCount - 1]! + 1;
    let p = at + 10 + contourCount * 2;
    p += 2 + v.getUint16(p);
    const flags: number[] = [];
    while (flags.length < pointCount) {
      const flag = v.getUint8(p++);
      flags.push(flag);
      if (flag & 8) for (let r = v.getUint8(p++); r > 0; r--) flags.push(flag);
    }
    const coordinates = (short: number, same: number): number[] => {
      const values: number[] = [];
      let value = 0;
      for (const flag of flags) {
        if (flag & short) value += (flag & same ? 1 : -1) * v.getUint8(p++);
        else if (!(flag & same)) {
          value += v.getInt16(p);
          p += 2;
        }
        values.push(value);
      }
      return values;
    };
    const xs = coordinates(2, 16);
    const ys = coordinates(4, 32);
    const contours: Contour[] = [];
    let first = 0;
    for (const last of endPoints) {
      const contour: Contour = [];
      for (let i = first; i <= last; i++) contour.push({ x: xs[i]!, y: ys[i]!, on: (flags[i]! & 1) === 1 });
      contours.push(contour);
      first = last + 1;
    }
    return { contours };
  }

  private compositeOutline(at: number): Outline {
    const v = this.view;
    let p = at + 10;
    const contours: Contour[] = [];
    for (;;) {
      const flags = v.getUint16(p);
      const component = v.getUint16(p + 2);
      p += 4;
      let dx: number;
      let dy: number;
      if (flags & 1) {
        dx = v.getInt16(p);
        dy = v.getInt16(p + 2);
        p += 4;
      } else {
        dx = v.getInt8(p);
        dy = v.getInt8(p + 1);
        p += 2;
      }
      let [a, b, c, d] = [1, 0, 0, 1];
      const f2dot14 = (o: number): number => v.getInt16(o) / 16384;
      if (flags & 8) {
        a = d = f2dot14(p);
        p += 2;
      } else if (flags & 0x40) {
        a = f2dot14(p);
        d = f2dot14(p + 2);
        p += 4;
      } else if (flags & 0x80) {
        a = f2dot14(p);
        b = f2dot14(p + 2);
        c = f2dot14(p + 4);
        d = f2dot14(p + 6);
        p += 8;
      }
      if (!(flags & 2)) dx = dy = 0; // point-matched placement is not used by the ASCII glyphs drawn here
      for (const contour of this.outline(component).contours) {
        contours.push(contour.map((pt) => ({ x: a * pt.x + c * pt.y + dx, y: b * pt.x + d * pt.y + dy, on: pt.on })));
      }
      if (!(flags & 0x20)) break;
    }
    return { contours };
  }
}

/** Polylines of a contour: quadratic segments flattened, implied on-curve points between two off-curve ones. */
function flatten(contour: Contour, steps: number): { x: number; y: number }[] {
  if (contour.length === 0) return [];
  const points: Point[] = [];
  for (let i = 0; i < contour.length; i++) {
    const current = contour[i]!;
    const next = contour[(i + 1) % contour.length]!;
    points.push(current);
    if (!current.on && !next.on) points.push({ x: (current.x + next.x) / 2, y: (current.y + next.y) / 2, on: true });
  }
  const startIndex = points.findIndex((pt) => pt.on);
  const rotated = [...points.slice(startIndex), ...points.slice(0, startIndex)];
  const out: { x: number; y: number }[] = [rotated[0]!];
  for (let i = 1; i <= rotated.length; i++) {
    const pt = rotated[i % rotated.length]!;
    if (pt.on) {
      out.push(pt);
      continue;
    }
    const from = out[out.length - 1]!;
    const to = rotated[(i + 1) % rotated.length]!;
    for (let s = 1; s <= steps; s++) {
      const t = s / steps;
      const u = 1 - t;
      out.push({ x: u * u * from.x + 2 * u * t * pt.x + t * t * to.x, y: u * u * from.y + 2 * u * t * pt.y + t * t * to.y });
    }
    i++;
  }
  return out;
}

/** Coverage (0..1) of a line of text, one value per pixel, row-major. */
export interface TextMask {
  readonly width: number;
  readonly height: number;
  readonly coverage: Float32Array;
}

const SUB = 4;

/**
 * `text` drawn at `pixelSize` pixels per em (the CSS font-size), with a margin of a fifth of the size.
 * The mask's height spans DejaVu's ascent and descent.
 */
export function rasterizeText(font: TrueTypeFont, text: string, pixelSize: number): TextMask {
  const scale = pixelSize / font.unitsPerEm;
  const margin = Math.ceil(pixelSize / 5);
  const ascent = Math.ceil(pixelSize * 0.95);
  const height = ascent + Math.ceil(pixelSize * 0.25) + 2 * margin;
  const edges: { x0: number; y0: number; x1: number; y1: number; dir: number }[] = [];
  let pen = 0;
  for (const char of text) {
    const glyph = font.glyphIndex(char);
    for (const contour of font.outline(glyph).contours) {
      const line = flatten(contour, 6).map((pt) => ({ x: margin + (pen + pt.x) * scale, y: margin + ascent - pt.y * scale }));
      for (let i = 0; i < line.length; i++) {
        const a = line[i]!;
        const b = line[(i + 1) % line.length]!;
        if (a.y === b.y) continue;
        edges.push(a.y < b.y ? { x0: a.x, y0: a.y, x1: b.x, y1: b.y, dir: 1 } : { x0: b.x, y0: b.y, x1: a.x, y1: a.y, dir: -1 });
      }
    }
    pen += font.advance(glyph);
  }
  const width = Math.ceil(pen * scale) + 2 * margin;
  const coverage = new Float32Array(width * height);
  const crossings: { x: number; dir: number }[] = [];
  for (let row = 0; row < height * SUB; row++) {
    const y = (row + 0.5) / SUB;
    crossings.length = 0;
    for (const e of edges) {
      if (y < e.y0 || y >= e.y1) continue;
      crossings.push({ x: e.x0 + ((y - e.y0) / (e.y1 - e.y0)) * (e.x1 - e.x0), dir: e.dir });
    }
    crossings.sort((m, n) => m.x - n.x);
    let winding = 0;
    for (let i = 0; i < crossings.length - 1; i++) {
      winding += crossings[i]!.dir;
      if (winding === 0) continue;
      const from = Math.max(0, Math.round(crossings[i]!.x * SUB));
      const to = Math.min(width * SUB, Math.round(crossings[i + 1]!.x * SUB));
      const base = Math.floor(row / SUB) * width;
      for (let sx = from; sx < to; sx++) coverage[base + Math.floor(sx / SUB)]! += 1 / (SUB * SUB);
    }
  }
  return { width, height, coverage };
}

/** A grayscale image with 16-bit samples, as a radiograph's Pixel Data holds them. */
export interface GrayImage {
  readonly rows: number;
  readonly columns: number;
  readonly pixels: Uint16Array;
}

/** Blends `mask` into `image` at (left, top) towards `value` (text drawn over the anatomy, as a modality burns it in). */
export function burnIn(image: GrayImage, mask: TextMask, left: number, top: number, value: number): void {
  for (let y = 0; y < mask.height; y++) {
    const row = top + y;
    if (row < 0 || row >= image.rows) continue;
    for (let x = 0; x < mask.width; x++) {
      const column = left + x;
      if (column < 0 || column >= image.columns) continue;
      const alpha = Math.min(1, mask.coverage[y * mask.width + x]!);
      if (alpha <= 0) continue;
      const at = row * image.columns + column;
      image.pixels[at] = Math.round(image.pixels[at]! * (1 - alpha) + value * alpha);
    }
  }
}

/**
 * A radiograph-like background: a smooth body-shaped density with rib-like bands and noise, within
 * `bits` stored bits. Deterministic for a seed.
 */
export function syntheticRadiograph(rows: number, columns: number, seed: number, bits = 12): GrayImage {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  const top = 2 ** bits - 1;
  const pixels = new Uint16Array(rows * columns);
  const cx = columns * (0.45 + random() * 0.1);
  const cy = rows * (0.5 + random() * 0.1);
  const rx = columns * (0.3 + random() * 0.1);
  const ry = rows * (0.35 + random() * 0.1);
  const ribPeriod = rows / (14 + random() * 6);
  const base = top * (0.05 + random() * 0.1);
  for (let y = 0; y < rows; y++) {
    const ribs = 0.08 * Math.sin((2 * Math.PI * y) / ribPeriod);
    for (let x = 0; x < columns; x++) {
      const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
      const body = d < 1 ? 0.55 + 0.25 * (1 - d) + ribs * (1 - d) : 0.55 * Math.exp(-(d - 1) * 3);
      const noise = (random() - 0.5) * 0.03;
      pixels[y * columns + x] = Math.max(0, Math.min(top, Math.round(base + top * 0.8 * (body + noise))));
    }
  }
  return { rows, columns, pixels };
}

/**
 * The ingest benchmark's radiograph (bench/ingest-run.ts): a smooth ellipse whose outline falls steeply
 * to a flat border, with noise of +-30 stored values; no text. The ink page's block-median background
 * cannot follow the outline, so at 2,048 x 2,500 it leaves a band of ink barely past the floor along it.
 * The ellipse's profile is looked up by the squared radius (65,536 steps) rather than computed per
 * pixel: Math's functions called five million times cost seconds under Jest, a tenth of a second here.
 */
export function outlinedRadiograph(rows: number, columns: number, seed: number): GrayImage {
  const pixels = new Uint16Array(rows * columns);
  const steps = 1 << 16;
  const profile = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) profile[k] = 2600 * Math.sqrt(Math.cos((Math.sqrt(k / steps) * Math.PI) / 2));
  let state = seed >>> 0 || 1;
  const [cy, cx] = [rows / 2, columns / 2];
  const [sx, sy] = [1 / (columns * 0.42), 1 / (rows * 0.45)];
  for (let y = 0; y < rows; y++) {
    const dy = (y - cy) * sy;
    for (let x = 0; x < columns; x++) {
      const dx = (x - cx) * sx;
      const r2 = dx * dx + dy * dy;
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const value = 300 + (r2 < 1 ? profile[(r2 * steps) | 0]! : 0) + ((state >>> 0) / 0xffffffff - 0.5) * 60;
      pixels[y * columns + x] = value <= 0 ? 0 : value >= 4095 ? 4095 : (value + 0.5) | 0;
    }
  }
  return { rows, columns, pixels };
}
