/**
 * The ink page's rows in WebAssembly SIMD (layers/ingest/burned-in/ink-row-simd.ts, ink-row.wat) against the JS
 * path (inkRowInWords, the reference): the same page bytes, the same inked groups in the same order and the same
 * floor, on pages built to reach each floor the module's counts must tell apart (16, 4 x 5 .. 4 x 11, 48), on
 * noise, gradients, strokes of either polarity, widths that are whole groups of four but not of sixteen, tiny pages,
 * rows past 255 vectors (the module's byte counters flushed) and blocks whose pieces end off a 16-pixel boundary.
 * Also: the committed module is what the .wat compiles to, and the floor from the module's counts of levels 4..11
 * is inkFloor's on every histogram.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabt from 'wabt';
import {
  BACKGROUND_BLOCK,
  BlockMedians,
  INK_GAIN,
  inkAround,
  inkFloor,
  inkFloorOfCounts,
  type InkPage,
} from '../../../layers/ingest/burned-in/flatten';
import type { OcrImage } from '../../../layers/ingest/burned-in/image';
import { COUNTED_LEVELS, inkRowWasmAvailable, inkRowWasmRowsRun, useInkRowWasm } from '../../../layers/ingest/burned-in/ink-row-simd';
import { INK_ROW_WASM } from '../../../layers/ingest/burned-in/ink-row-wasm';
import { CheckScratch } from '../../../layers/ingest/burned-in/scratch';
import { inEachInkModuleSetting } from '../../support/ink-module-settings';
import { rngWords as generator } from '../../support/random';

afterAll(() => useInkRowWasm(undefined));

const page = (width: number, height: number, level: (x: number, y: number) => number): OcrImage => {
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) gray[y * width + x] = Math.max(0, Math.min(255, Math.round(level(x, y))));
  return { width, height, gray, factor: 1 };
};

/** Noise of amplitude `amplitude` (uniform in -amplitude .. amplitude) around `base`. */
function noise(width: number, height: number, amplitude: number, seed: number, base = 128): OcrImage {
  const random = generator(seed);
  return page(width, height, () => base + ((random() % (2 * amplitude + 1)) - amplitude));
}

/** The image with one pixel in 64 a probe 17 to 76 levels above the rest: distances at and just past any floor. */
function probed(image: OcrImage): OcrImage {
  return page(
    image.width,
    image.height,
    (x, y) => image.gray[y * image.width + x]! + (x % 8 === 7 && y % 8 === 3 ? 17 + ((x * 5 + y) % 60) : 0),
  );
}

function mediansOf(image: OcrImage, block: number): BlockMedians {
  const blocks = new BlockMedians(image.width, image.height, block);
  for (let y = 0; y < image.height; y++) blocks.addRow(image.gray, y * image.width);
  return blocks;
}

/**
 * Each pixel's distance from its background, as flatten.ts defines it and computed here apart from it: the
 * blocks' medians interpolated in floats (bilinear between block centres), |gray - background| + 0.5 truncated.
 */
function distancesOf(image: OcrImage, block: number): Uint8Array {
  const { width, height, gray } = image;
  const { medians, columns, rows } = mediansOf(image, block);
  const place = (p: number, blocks: number): [number, number, number] => {
    const at = Math.min(blocks - 1, Math.max(0, (p + 0.5) / block - 0.5));
    const lower = blocks === 1 ? 0 : Math.min(blocks - 2, Math.floor(at));
    const weight = Math.fround(blocks > 1 ? at - lower : 0);
    return [lower, Math.min(blocks - 1, lower + 1), weight];
  };
  const across = Array.from({ length: width }, (_, x) => place(x, columns));
  const distances = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const [top, bottom, t] = place(y, rows);
    const rowOf = Float32Array.from(
      { length: columns },
      (_, bx) => medians[top * columns + bx]! * (1 - t) + medians[bottom * columns + bx]! * t,
    );
    for (let x = 0; x < width; x++) {
      const [left, right, s] = across[x]!;
      const background = Math.fround(rowOf[left]! * (1 - s) + rowOf[right]! * s);
      distances[y * width + x] = Math.min(255, Math.abs(gray[y * width + x]! - background) + 0.5) | 0;
    }
  }
  return distances;
}

function floorOf(image: OcrImage, block = BACKGROUND_BLOCK): number {
  const histogram = new Uint32Array(256);
  for (const d of distancesOf(image, block)) histogram[d]!++;
  return inkFloor(histogram, image.width * image.height);
}

/** The floors (16 .. 48) at which `distances` turn into exactly the page `ink`. */
function floorsGiving(distances: Uint8Array, ink: Uint8Array): number[] {
  const pairs = new Set<number>();
  for (let i = 0; i < distances.length; i++) pairs.add(distances[i]! * 256 + ink[i]!);
  const floors: number[] = [];
  for (let floor = 16; floor <= 48; floor++) {
    if ([...pairs].every((pair) => pair % 256 === 255 - Math.min(255, Math.max(0, ((pair >> 8) - floor) * INK_GAIN)))) floors.push(floor);
  }
  return floors;
}

interface Inked {
  readonly page: InkPage;
  readonly quads: number[];
}

/** inkAround of `image` by one path, written into a copy of the image (in place) or a separate array. */
function inked(image: OcrImage, wasm: boolean, block: number, inPlace: boolean): Inked {
  useInkRowWasm(wasm);
  const before = inkRowWasmRowsRun();
  const source = { ...image, gray: image.gray.slice() };
  const out = inPlace ? source.gray : new Uint8Array(image.width * image.height);
  const found = inkAround(source, mediansOf(image, block), out, new CheckScratch());
  // The path asked for is the path taken (every page here has whole groups of four and whole pieces).
  expect(inkRowWasmRowsRun() - before).toBe(wasm ? image.height : 0);
  const { quads, count } = found.inked!;
  return { page: found, quads: [...quads.subarray(0, count)] };
}

interface Both {
  /** The floor the page's distances give, which both pages are inked at. */
  readonly floor: number;
  /** Every floor that inks the distances into the same page: only `floor` where the page has distances at and just past it. */
  readonly floors: number[];
  /** Groups listed. */
  readonly count: number;
}

/** Both paths, into a separate array and in place: the same bytes, the same groups in the same order, the same floor. */
function expectSamePaths(image: OcrImage, block = BACKGROUND_BLOCK): Both {
  const distances = distancesOf(image, block);
  const floor = floorOf(image, block);
  let both: Both | undefined;
  for (const inPlace of [false, true]) {
    const js = inked(image, false, block, inPlace);
    const wasm = inked(image, true, block, inPlace);
    expect(Buffer.from(wasm.page.gray).equals(Buffer.from(js.page.gray))).toBe(true);
    expect(wasm.quads).toEqual(js.quads);
    expect(wasm.page.inked!.ungroupedFrom).toBe(js.page.inked!.ungroupedFrom);
    const floors = floorsGiving(distances, wasm.page.gray);
    expect(floors).toContain(floor);
    expect(floorsGiving(distances, js.page.gray)).toEqual(floors);
    both = { floor, floors, count: wasm.quads.length };
  }
  return both!;
}

describe('the ink page rows in WebAssembly SIMD', () => {
  it('runs here (Node has WebAssembly SIMD)', () => {
    expect(inkRowWasmAvailable()).toBe(true);
  });

  it('falls back to the JS path without WebAssembly, and with HILUM_INK_WASM=0', async () => {
    const image = noise(128, 64, 30, 8);
    const expected = inked(image, false, BACKGROUND_BLOCK, false).page.gray;
    type Flatten = typeof import('../../../layers/ingest/burned-in/flatten');
    type Simd = typeof import('../../../layers/ingest/burned-in/ink-row-simd');
    const {
      withoutWebAssembly: without,
      switchedOff,
      on,
    } = await inEachInkModuleSetting(async () => {
      const simd: Simd = await import('../../../layers/ingest/burned-in/ink-row-simd');
      const flatten: Flatten = await import('../../../layers/ingest/burned-in/flatten');
      const out = new Uint8Array(image.gray.length);
      flatten.inkAround(image, mediansOf(image, BACKGROUND_BLOCK), out, new CheckScratch());
      return { available: simd.inkRowWasmAvailable(), rows: simd.inkRowWasmRowsRun(), gray: out };
    });
    expect(without).toMatchObject({ available: false, rows: 0 });
    expect(Buffer.from(without.gray).equals(Buffer.from(expected))).toBe(true);

    expect(switchedOff).toMatchObject({ available: true, rows: 0 });
    expect(Buffer.from(switchedOff.gray).equals(Buffer.from(expected))).toBe(true);

    expect(on).toMatchObject({ available: true, rows: image.height });
    expect(Buffer.from(on.gray).equals(Buffer.from(expected))).toBe(true);
  });

  it('is the module ink-row.wat compiles to (tools/build-ink-row-wasm.mjs)', async () => {
    const source = readFileSync(join(__dirname, '../../../layers/ingest/burned-in/ink-row.wat'), 'utf8');
    const compiled = (await wabt()).parseWat('ink-row.wat', source, { simd: true });
    compiled.validate();
    const { buffer } = compiled.toBinary({ log: false, write_debug_names: false });
    compiled.destroy();
    expect(Buffer.from(INK_ROW_WASM, 'base64').equals(Buffer.from(buffer))).toBe(true);
  });

  it('gives the floor inkFloor gives from the counts of distances up to 4 .. 11 alone', () => {
    const check = (histogram: Uint32Array, samples: number): number => {
      const atMost: number[] = [];
      let seen = 0;
      for (let level = 0; level <= COUNTED_LEVELS.to; level++) {
        seen += histogram[level]!;
        if (level >= COUNTED_LEVELS.from) atMost.push(seen);
      }
      const floor = inkFloorOfCounts(atMost, COUNTED_LEVELS.from, samples);
      expect(floor).toBe(inkFloor(histogram, samples));
      return floor;
    };
    /** `samples` distances with the median at `median`: below it `below`, at it `at`, above it the rest. */
    const around = (median: number, below: number, at: number, samples: number): Uint32Array => {
      const histogram = new Uint32Array(256);
      if (median > 0) histogram[median - 1] = below;
      histogram[median] = at;
      histogram[Math.min(255, median + 3)]! += samples - below - at;
      return histogram;
    };
    const seen = new Set<number>();
    for (const samples of [1, 2, 7, 100, 101, 5_117_952]) {
      for (let median = 0; median <= 20; median++) {
        const half = samples / 2;
        // The cumulative count reaching half exactly at the median (even samples), or just past it (odd).
        const below = median > 0 ? Math.ceil(half) - 1 : 0;
        const histogram = around(median, below, samples - below > 0 ? 1 : 0, samples);
        seen.add(check(histogram, samples));
        expect(check(around(median, 0, samples, samples), samples)).toBe(Math.min(48, Math.max(16, 4 * median)));
      }
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([16, 20, 24, 28, 32, 36, 40, 44, 48]);
    // The medians at the edges: 4 (16, the lowest floor), 11 (44, the last counted), 12 (48, counted by nothing).
    for (const [median, floor] of [
      [4, 16],
      [11, 44],
      [12, 48],
    ] as const) {
      const histogram = new Uint32Array(256);
      histogram[median - 1] = 50;
      histogram[median] = 1;
      histogram[200] = 50;
      expect(check(histogram, 101)).toBe(floor);
      histogram[median - 1] = 51; // past half before the median: one level lower
      expect(check(histogram, 102)).toBe(Math.min(48, Math.max(16, 4 * (median - 1))));
    }
    const random = generator(21);
    for (let n = 0; n < 2000; n++) {
      const histogram = new Uint32Array(256);
      const spread = 1 + (random() % 40);
      let samples = 0;
      for (let i = random() % 300; i > 0; i--) {
        const level = Math.min(255, (random() % spread) + (random() % 4 === 0 ? random() % 256 : 0));
        histogram[level]!++;
        samples++;
      }
      check(histogram, samples);
    }
  });

  it.each([0, 1, 2, 4, 9, 25, 60, 127])('equals the JS path on noise of amplitude %i (260 x 70: a width not of sixteens)', (amplitude) => {
    expectSamePaths(noise(260, 70, amplitude, 100 + amplitude));
  });

  it('reaches each floor the counts tell apart: 16, 4 x 5 .. 4 x 11 and 48', () => {
    const reached = new Map<number, Both>();
    for (let amplitude = 0; amplitude <= 60 && reached.size < 9; amplitude++) {
      const image = probed(noise(196, 68, amplitude, 7));
      const floor = floorOf(image);
      if (!reached.has(floor)) reached.set(floor, expectSamePaths(image));
    }
    expect([...reached.keys()].sort((a, b) => a - b)).toEqual([16, 20, 24, 28, 32, 36, 40, 44, 48]);
    for (const [floor, both] of reached) expect(both.floors).toEqual([floor]);
  });

  it('does not count far distances (128 and more) among the near ones', () => {
    // Around a background of 200: 45% of pixels at 0..60 (distances of 140 and more), 10% at 200, 45% at 220..255
    // (distances 20..55). The median distance is past 11, the floor 48; counting a distance of 128 or more as at
    // most 4 would put more than half the page there and give 16.
    const far = page(260, 96, (x, y) => {
      const k = (x + 7 * y) % 20;
      if (k < 9) return (k * 7 + y) % 61;
      return k < 11 ? 200 : 220 + ((k * 5 + x + y) % 36);
    });
    const both = expectSamePaths(far);
    expect(both.floors).toEqual([48]);
  });

  it('equals the JS path on smooth gradients, steep ones and wrapped ramps', () => {
    expectSamePaths(page(324, 90, (x, y) => (x * 255) / 323 + y / 4 - 10));
    expectSamePaths(page(260, 130, (x, y) => 128 + 100 * Math.sin(x / 37) * Math.cos(y / 23)));
    expectSamePaths(page(132, 64, (x, y) => (x * 7 + y * 3) % 256));
    expectSamePaths(page(100, 100, (x, y) => 255 - ((x * y) % 256)));
  });

  it('equals the JS path on bright and dark text-like strokes over noise and gradients', () => {
    const random = generator(3);
    const strokes = (x: number, y: number, under: number): number => {
      if (y % 20 < 2 && x % 50 < 30) return 250; // bright horizontal strokes
      if (x % 23 === 4 && y % 40 > 5) return 5; // dark vertical ones
      if ((x + y) % 31 === 0) return under > 128 ? 0 : 255; // diagonals of the other polarity
      return under;
    };
    expectSamePaths(page(388, 120, (x, y) => strokes(x, y, 60 + (random() % 9))));
    expectSamePaths(page(388, 120, (x, y) => strokes(x, y, 30 + x / 2 + (random() % 5))));
    const many = page(300, 200, (x, y) => strokes(x, y, random() & 255));
    expect(expectSamePaths(many).count).toBeGreaterThan(4096); // the scratch's first list was grown
  });

  it('equals the JS path where backgrounds sit exactly halfway between two levels (distances of x.5 round away)', () => {
    // Block rows of median 100 but one of 132: between their centres every row's backgrounds are a whole level
    // and a half, and pixels lie on both sides of them.
    const spread = [0, 1, -1, 2, -2, 0, 3, -3];
    const halfway = page(260, 256, (x, y) => {
      if (y >= 40 && y < 120 && x % 16 === 5) return 30 + (y % 40);
      return (y >> 5 === 2 ? 132 : 100) + spread[(x + 3 * y) % 8]!;
    });
    expectSamePaths(halfway);
    // Across: block columns of 100 and 132, so backgrounds halfway fall inside rows, on any lane of a vector.
    expectSamePaths(page(260, 64, (x, y) => (x >> 5 === 3 ? 132 : 100) + spread[(x + y) % 8]! + (x % 13 === 0 ? 40 : 0)));
  });

  it('equals the JS path on tiny pages', () => {
    const random = generator(11);
    for (const [width, height] of [
      [4, 1],
      [4, 4],
      [8, 3],
      [12, 5],
      [16, 1],
      [20, 20],
      [36, 2],
      [44, 33],
    ] as const) {
      expectSamePaths(page(width, height, () => random() & 255));
      expectSamePaths(page(width, height, (x, y) => (x === 1 && y === 0 ? 0 : 200)));
    }
  });

  it("equals the JS path on rows of more than 255 vectors (the module's byte counters added in mid-row)", () => {
    // 4,100 pixels a row: 256 vectors of sixteen and a group of four, each counter taking one a vector on quiet
    // noise; probes make the page tell its floor.
    const quiet = expectSamePaths(probed(noise(4100, 9, 3, 5)));
    expect(quiet.floors).toEqual([16]);
    const noisier = expectSamePaths(probed(noise(4100, 9, 14, 5)));
    expect(noisier.floors).toEqual([noisier.floor]);
    expect(noisier.floor).toBeGreaterThan(16);
  });

  it.each([8, 16, 64, 128])('equals the JS path with blocks of %i pixels (pieces ending off sixteen-pixel boundaries)', (block) => {
    expectSamePaths(noise(264, 72, 6, block), block);
    expectSamePaths(
      page(264, 72, (x, y) => (x % 9 === 0 ? 20 : 100 + (y >> 3) + (x >> 4))),
      block,
    );
  });
});
