/**
 * Rendered images against dcmtk's dcmj2pnm, the reference render: the same frame with the
 * same window (the header's first, a requested one, SIGMOID, the min-max default), rescale,
 * MONOCHROME1, a VOI LUT, RGB (interleaved and planar), YBR_FULL, PALETTE COLOR, a frame of a
 * multi-frame object, a source region; our PNG decoded by a separate test-side decoder and
 * compared pixel by pixel (max |diff| <= 1). JPEG within lossy tolerance; the viewport's
 * scaling and flips; the parameters and media types refused or chosen as PS3.18 says.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decode as decodeJpeg } from 'jpeg-js';
import { decodeFrame, readDicomHeader, storedFrames, type DataSet } from '../../../layers/dicom';
import {
  InvalidFrameList,
  InvalidRenderParameter,
  NotAcceptableMediaType,
  parseFrameList,
  representativeOrder,
  encodeRendered,
  negotiateRenderedType,
  parseRenderParameters,
  renderAttributes,
  renderFrame,
  type RenderableFrame,
} from '../../../layers/dicomweb/render';
import { makeDicom } from '../../support/synthetic-dicom';
import { decodePng, decodePnm, difference, type Bitmap } from '../../support/images';

const run = promisify(execFile);
const FIXTURES = join(__dirname, '../../fixtures/dicom');

/** A frame through layers/dicom's pixels API (storedFrames, decodeFrame), with the header rendering reads. */
async function decoded(bytes: Uint8Array, index = 0): Promise<{ frame: RenderableFrame; dict: DataSet }> {
  // A copy: a small file read by Node is a view into a shared pool, which the pixels API is not asked to handle here.
  const own = new Uint8Array(bytes);
  const stored = storedFrames(own);
  const frame = await decodeFrame(stored.frames[index]!, stored.transferSyntaxUid, stored.pixel);
  return { frame, dict: readDicomHeader(own).dict };
}

const us = (...v: number[]) => ({ vr: 'US', Value: v });
const cs = (v: string) => ({ vr: 'CS', Value: [v] });

/** A 48 x 40 8-bit color image: gradients in each sample, so every conversion shows. */
function colorImage(photometric: 'RGB' | 'YBR_FULL', planar: 0 | 1): Uint8Array {
  const rows = 40;
  const columns = 48;
  const bytes = new Uint8Array(rows * columns * 3);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < columns; x++)
      for (let s = 0; s < 3; s++) {
        const value = s === 0 ? x * 5 : s === 1 ? y * 6 : (x * y) % 256;
        bytes[planar ? s * rows * columns + y * columns + x : (y * columns + x) * 3 + s] = value;
      }
  return makeDicom({
    modality: 'OT',
    rows,
    columns,
    elements: {
      '00280002': us(3),
      '00280004': cs(photometric),
      '00280006': us(planar),
      '00280100': us(8),
      '00280101': us(8),
      '00280102': us(7),
      '7FE00010': { vr: 'OB', Value: [bytes.buffer] },
    },
  });
}

/** A 32 x 32 8-bit PALETTE COLOR image with 16-bit palettes of 256 entries. */
function paletteImage(): Uint8Array {
  const rows = 32;
  const columns = 32;
  const bytes = new Uint8Array(rows * columns).map((_, i) => (i * 3) % 256);
  const lut = (f: (i: number) => number) => ({ vr: 'OW', Value: [Uint16Array.from({ length: 256 }, (_, i) => f(i)).buffer] });
  return makeDicom({
    modality: 'OT',
    rows,
    columns,
    elements: {
      '00280004': cs('PALETTE COLOR'),
      '00280100': us(8),
      '00280101': us(8),
      '00280102': us(7),
      '00281101': us(256, 0, 16),
      '00281102': us(256, 0, 16),
      '00281103': us(256, 0, 16),
      '00281201': lut((i) => i * 257),
      '00281202': lut((i) => (255 - i) * 257),
      '00281203': lut((i) => ((i * 7) % 256) * 257),
      '7FE00010': { vr: 'OB', Value: [bytes.buffer] },
    },
  });
}

/** The synthetic 12-bit ramp with a VOI LUT Sequence (no window), 4096 entries of 8 bits. */
function voiLutImage(): Uint8Array {
  const data = Uint16Array.from({ length: 4096 }, (_, i) => Math.round(255 * Math.sqrt(i / 4095)));
  return makeDicom({
    rows: 32,
    columns: 32,
    elements: {
      '00283010': { vr: 'SQ', Value: [{ '00283002': us(4096, 0, 8), '00283006': { vr: 'OW', Value: [data.buffer] } }] },
    },
  });
}

/** Three frames of 24 x 20 signed 16-bit, with a rescale: frame n is a ramp scaled by n. */
function multiFrameImage(): Uint8Array {
  const rows = 20;
  const columns = 24;
  const pixels = new Int16Array(rows * columns * 3);
  for (let f = 0; f < 3; f++) for (let i = 0; i < rows * columns; i++) pixels[f * rows * columns + i] = (i - 200) * (f + 1);
  return makeDicom({
    rows,
    columns,
    elements: {
      '00280008': { vr: 'IS', Value: [3] },
      '00280101': us(16),
      '00280102': us(15),
      '00280103': us(1),
      '00281052': { vr: 'DS', Value: [-100] },
      '00281053': { vr: 'DS', Value: [2] },
      '7FE00010': { vr: 'OW', Value: [pixels.buffer] },
    },
  });
}

describe('rendered images', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hilum-render-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** dcmj2pnm's render (overlays off, as hilum does not burn them in) as a bitmap. */
  /**
   * The reference render of dcmtk: dcmj2pnm (JPEG, JPEG Lossless, RLE), dcml2pnm (JPEG-LS); JPEG 2000,
   * which dcmtk does not read, decoded first by gdcmconv --raw.
   */
  async function reference(
    bytes: Uint8Array,
    args: readonly string[],
    tool: 'dcmj2pnm' | 'dcml2pnm' | 'gdcm-raw' = 'dcmj2pnm',
  ): Promise<Bitmap> {
    const input = join(dir, 'in.dcm');
    const output = join(dir, 'out.pnm');
    await writeFile(input, bytes);
    let source = input;
    if (tool === 'gdcm-raw') {
      source = join(dir, 'raw.dcm');
      await run('gdcmconv', ['--raw', input, source]);
    }
    await run(tool === 'dcml2pnm' ? 'dcml2pnm' : 'dcmj2pnm', ['-q', '-O', ...args, '+op', source, output]);
    return decodePnm(await readFile(output));
  }

  /** A file compressed here by dcmtk's dcmcjpeg (JPEG baseline, 8-bit). */
  async function jpegBaseline(bytes: Uint8Array): Promise<Uint8Array> {
    const input = join(dir, 'native.dcm');
    const output = join(dir, 'baseline.dcm');
    await writeFile(input, bytes);
    await run('dcmcjpeg', ['+eb', input, output]);
    return readFile(output);
  }

  const fixture = (path: string) => readFile(join(FIXTURES, path));

  it.each<[string, () => Promise<Uint8Array> | Uint8Array, Record<string, string>, string[], number]>([
    ['the header window (MR)', () => fixture('transfer-syntax/MR_small.dcm'), {}, ['+Wi', '1'], 0],
    [
      'RLE Lossless, decoded through the pixels API (MR, header window)',
      () => fixture('transfer-syntax/MR_small_RLE.dcm'),
      {},
      ['+Wi', '1'],
      0,
    ],
    ['the min-max default when the header has no window (CT, rescaled)', () => fixture('ct/CT_small.dcm'), {}, ['+Wm'], 0],
    ['a requested LINEAR window over rescaled values', () => fixture('ct/CT_small.dcm'), { window: '40,400' }, ['+Ww', '40', '400'], 0],
    ['a requested SIGMOID window', () => fixture('ct/CT_small.dcm'), { window: '40,400,sigmoid' }, ['+Ww', '40', '400', '+Wfs'], 0],
    [
      'MONOCHROME1 inverted, with rescale slope and the header window (CR)',
      () => fixture('patient-77654033/cr-cspine/CR1_6154.dcm'),
      {},
      ['+Wi', '1'],
      1,
    ],
    ['the first of two header windows', () => fixture('graphics/examples_overlay.dcm'), {}, ['+Wi', '1'], 0],
    ['an 8-bit radiograph without a window', () => fixture('chest-xray/nih-cxr-dx.dcm'), {}, ['+Wm'], 0],
    ['a VOI LUT Sequence when the header has no window', voiLutImage, {}, ['+Wl', '1'], 1],
    ['RGB, interleaved', () => colorImage('RGB', 0), {}, [], 0],
    ['RGB, planar', () => colorImage('RGB', 1), {}, [], 0],
    ['YBR_FULL converted to RGB', () => colorImage('YBR_FULL', 0), {}, [], 2],
    ['PALETTE COLOR through its palettes', paletteImage, {}, [], 0],
    [
      'a source region of the image, unscaled',
      () => fixture('ct/CT_small.dcm'),
      { viewport: '40,30,10,20,40,30' },
      ['+Wm', '+C', '10', '20', '40', '30'],
      1,
    ],
  ])('renders %s as dcmj2pnm does', async (_name, load, query, args, tolerance) => {
    const bytes = await load();
    const { frame, dict } = await decoded(bytes);
    const png = encodeRendered(renderFrame(frame, renderAttributes(dict), parseRenderParameters(query)), 'image/png');
    const ours = decodePng(png);
    const theirs = await reference(bytes, args);
    expect(difference(ours, theirs).max).toBeLessThanOrEqual(tolerance);
  });

  it.each<[string, () => Promise<Uint8Array>, string[], 'dcmj2pnm' | 'dcml2pnm' | 'gdcm-raw', number]>([
    ['JPEG Lossless (CT, min-max)', () => fixture('ct/CT_small_jpeg_lossless.dcm'), ['+Wm'], 'dcmj2pnm', 0],
    ['JPEG-LS Lossless (MR, header window)', () => fixture('transfer-syntax/MR_small_jpeg_ls_lossless.dcm'), ['+Wi', '1'], 'dcml2pnm', 0],
    ['JPEG 2000 Lossless (MR, header window)', () => fixture('transfer-syntax/MR_small_jp2klossless.dcm'), ['+Wi', '1'], 'gdcm-raw', 0],
    [
      'JPEG baseline 8-bit (a radiograph compressed by dcmcjpeg)',
      async () => jpegBaseline(await fixture('chest-xray/nih-cxr-dx.dcm')),
      ['+Wm'],
      'dcmj2pnm',
      0,
    ],
    ['JPEG baseline YBR_FULL_422 color (compressed by dcmcjpeg)', () => jpegBaseline(colorImage('RGB', 0)), [], 'dcmj2pnm', 0],
  ])('renders %s, compressed, as dcmtk renders it', async (_name, load, args, tool, tolerance) => {
    const bytes = await load();
    const { frame, dict } = await decoded(bytes);
    const ours = decodePng(encodeRendered(renderFrame(frame, renderAttributes(dict)), 'image/png'));
    expect(difference(ours, await reference(bytes, args, tool)).max).toBeLessThanOrEqual(tolerance);
  });

  it('renders the frame asked for of a multi-frame object', async () => {
    const bytes = multiFrameImage();
    for (const frameNumber of [1, 2, 3]) {
      const { frame, dict } = await decoded(bytes, frameNumber - 1);
      const ours = decodePng(
        encodeRendered(
          renderFrame(frame, renderAttributes(dict, frameNumber - 1), parseRenderParameters({ window: '0,2000' })),
          'image/png',
        ),
      );
      const theirs = await reference(bytes, ['+F', String(frameNumber), '+Ww', '0', '2000']);
      expect(difference(ours, theirs).max).toBeLessThanOrEqual(0);
    }
    // Different frames render differently: the frame index is honoured.
    const one = renderFrame((await decoded(bytes, 0)).frame, renderAttributes(readDicomHeader(bytes).dict), {
      window: { center: 0, width: 2000, fn: 'LINEAR' },
    });
    const three = renderFrame((await decoded(bytes, 2)).frame, renderAttributes(readDicomHeader(bytes).dict), {
      window: { center: 0, width: 2000, fn: 'LINEAR' },
    });
    expect(difference(one, three).max).toBeGreaterThan(10);
  });

  it('scales to fit the viewport keeping the aspect ratio, close to dcmj2pnm’s own scaling', async () => {
    const bytes = await fixture('ct/CT_small.dcm');
    const { frame, dict } = await decoded(bytes);
    const ours = decodePng(
      encodeRendered(renderFrame(frame, renderAttributes(dict), parseRenderParameters({ viewport: '64,200' })), 'image/png'),
    );
    expect([ours.width, ours.height]).toEqual([64, 64]);
    const theirs = await reference(bytes, ['+Wm', '+Sxv', '64']);
    expect(difference(ours, theirs).mean).toBeLessThan(3);
  });

  it('flips the region horizontally for a negative source width and vertically for a negative height', () => {
    const image = { rows: 2, columns: 3, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0 as const };
    const frame: RenderableFrame = {
      ...image,
      photometricInterpretation: 'MONOCHROME2',
      planarConfiguration: 0,
      pixels: Uint8Array.from([0, 1, 2, 3, 4, 5]),
    };
    const attributes = { rescaleSlope: 1, rescaleIntercept: 0, windows: [{ center: 127.5, width: 256 }], voiFunction: 'LINEAR' as const };
    const render = (viewport: string) => [...renderFrame(frame, attributes, parseRenderParameters({ viewport })).data];
    expect(render('3,2')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(render('3,2,0,0,-3,2')).toEqual([2, 1, 0, 5, 4, 3]);
    expect(render('3,2,0,0,3,-2')).toEqual([3, 4, 5, 0, 1, 2]);
  });

  it('averages areas when it reduces (a 2:1 reduction of a checkerboard is flat gray)', () => {
    const pixels = Uint8Array.from({ length: 64 }, (_, i) => (((i % 8) + Math.floor(i / 8)) % 2 ? 255 : 0));
    const frame: RenderableFrame = {
      rows: 8,
      columns: 8,
      samplesPerPixel: 1,
      bitsAllocated: 8,
      bitsStored: 8,
      pixelRepresentation: 0,
      photometricInterpretation: 'MONOCHROME2',
      planarConfiguration: 0,
      pixels,
    };
    const attributes = { rescaleSlope: 1, rescaleIntercept: 0, windows: [{ center: 127.5, width: 256 }], voiFunction: 'LINEAR' as const };
    const out = renderFrame(frame, attributes, parseRenderParameters({ viewport: '4,4' }));
    expect(out.width).toBe(4);
    for (const v of out.data) expect(Math.abs(v - 127.5)).toBeLessThanOrEqual(1);
  });

  it('maps LINEAR_EXACT as PS3.3 C.11.2.1.3.2 says: center to the middle, center ± width/2 to the ends', () => {
    const frame: RenderableFrame = {
      rows: 1,
      columns: 5,
      samplesPerPixel: 1,
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 0,
      photometricInterpretation: 'MONOCHROME2',
      planarConfiguration: 0,
      pixels: Uint16Array.from([0, 50, 100, 150, 200]),
    };
    const attributes = { rescaleSlope: 1, rescaleIntercept: 0, windows: [], voiFunction: 'LINEAR' as const };
    const out = renderFrame(frame, attributes, parseRenderParameters({ window: '100,100,linear-exact' }));
    expect([...out.data]).toEqual([0, 0, 127, 255, 255]);
  });

  it('keeps a level that is an integer in exact arithmetic (min-max over 0..4095 maps 273 to 17, as dcmtk does)', () => {
    const frame: RenderableFrame = {
      rows: 1,
      columns: 3,
      samplesPerPixel: 1,
      bitsAllocated: 16,
      bitsStored: 12,
      pixelRepresentation: 0,
      photometricInterpretation: 'MONOCHROME2',
      planarConfiguration: 0,
      pixels: Uint16Array.from([0, 273, 4095]),
    };
    const out = renderFrame(frame, { rescaleSlope: 1, rescaleIntercept: 0, windows: [], voiFunction: 'LINEAR' });
    expect([...out.data]).toEqual([0, 17, 255]);
  });

  it('reads frame lists and refuses ill-formed ones; a thumbnail tries the middle instance of every series before any other', () => {
    expect(parseFrameList('1,3,5')).toEqual([1, 3, 5]);
    expect(parseFrameList('2')).toEqual([2]);
    for (const bad of ['0', '1,,2', 'a', '-1', '1.5', '']) expect(() => parseFrameList(bad)).toThrow(InvalidFrameList);
    const items = ['a1', 'a2', 'a3', 'b1', 'b2'];
    expect(representativeOrder(items, (i) => i[0]!)).toEqual(['a2', 'b1', 'a1', 'a3', 'b2']);
  });

  it('writes JPEG close to the lossless render, smaller at a lower quality', async () => {
    const bytes = await fixture('transfer-syntax/MR_small.dcm');
    const { frame, dict } = await decoded(bytes);
    const image = renderFrame(frame, renderAttributes(dict));
    const jpeg = encodeRendered(image, 'image/jpeg');
    expect(Buffer.from(jpeg.subarray(0, 3)).toString('hex')).toBe('ffd8ff');
    const back = decodeJpeg(jpeg, { useTArray: true });
    const gray = { width: back.width, height: back.height, channels: 1, data: back.data.filter((_, i) => i % 4 === 0) };
    const diff = difference(gray, { ...image, channels: 1 });
    expect(diff.mean).toBeLessThan(3);
    expect(encodeRendered(image, 'image/jpeg', 20).length).toBeLessThan(jpeg.length);
  });

  it('refuses ill-formed parameters with messages that repeat no value', () => {
    for (const query of [
      { window: '40' },
      { window: 'a,b' },
      { window: '40,0' },
      { window: '40,400,cubic' },
      { viewport: '0,10' },
      { viewport: '10' },
      { viewport: '10,10,1,1,1' },
      { viewport: '10.5,10' },
      { viewport: '10,10,-1,0,5,5' },
      { quality: '-7' },
      { quality: '1000' },
      { quality: 'high' },
    ]) {
      expect(() => parseRenderParameters(query)).toThrow(InvalidRenderParameter);
      try {
        parseRenderParameters(query);
      } catch (error) {
        for (const value of Object.values(query)) expect((error as Error).message).not.toContain(value);
      }
    }
    expect(parseRenderParameters({ window: '40,400', viewport: '128,128', quality: '75' })).toEqual({
      window: { center: 40, width: 400, fn: 'LINEAR' },
      viewport: { width: 128, height: 128 },
      quality: 75,
    });
  });

  it('chooses JPEG or PNG by the accept parameter, then Accept, by q-value; anything else is not acceptable', () => {
    expect(negotiateRenderedType(undefined, undefined)).toBe('image/jpeg');
    expect(negotiateRenderedType('image/png', undefined)).toBe('image/png');
    expect(negotiateRenderedType('image/jpeg;q=0.5, image/png', undefined)).toBe('image/png');
    expect(negotiateRenderedType('image/jpeg', 'image/png')).toBe('image/png');
    expect(negotiateRenderedType('image/gif, image/*', undefined)).toBe('image/jpeg');
    expect(negotiateRenderedType('image/jpeg;q=0, */*', undefined)).toBe('image/png');
    expect(negotiateRenderedType('multipart/related; type="image/png"', undefined)).toBe('image/png');
    expect(() => negotiateRenderedType('application/dicom', undefined)).toThrow(NotAcceptableMediaType);
    expect(() => negotiateRenderedType('image/gif', undefined)).toThrow(NotAcceptableMediaType);
  });
});
