/**
 * storedFrames finds each frame's bitstream however the fragments are laid out:
 * Basic Offset Table, Extended Offset Table, several fragments a frame with no
 * table (split on the codestream's start marker), one fragment a frame.
 */
import { scanPart10, type ScannedElement } from '../../../../layers/dicom/part10';
import { decodeFrame, PixelDataError, storedFrames } from '../../../../layers/dicom/pixels';
import { pixelBytes } from '../../../support/dicom-inspect';
import { encapsulate, runTool, syntheticImage } from '../../../support/reference-decode';

const JPEG_LS = '1.2.840.10008.1.2.4.80';
const RLE = '1.2.840.10008.1.2.5';

/** Three 16-bit frames, each a JPEG-LS bitstream from dcmcjpls, to re-encapsulate in every layout. */
function jpegLsFrames(): { native: Uint8Array; frames: Uint8Array[] } {
  const native = syntheticImage({ rows: 32, columns: 32, bitsAllocated: 16, frames: 3 });
  return { native, frames: storedFrames(runTool('dcmcjpls', [], native)).frames.map((f) => f.slice()) };
}

async function decodesToNative(part10: Uint8Array, native: Uint8Array): Promise<void> {
  const { frames, transferSyntaxUid, pixel } = storedFrames(part10);
  expect(frames).toHaveLength(3);
  const decoded = [];
  for (const frame of frames) {
    const d = await decodeFrame(frame, transferSyntaxUid, pixel);
    decoded.push(Buffer.from(d.pixels.buffer, d.pixels.byteOffset, d.pixels.byteLength));
  }
  expect(Buffer.concat(decoded)).toEqual(pixelBytes(native));
}

describe('storedFrames on encapsulated Pixel Data', () => {
  it('follows a Basic Offset Table over frames of several fragments', async () => {
    const { native, frames } = jpegLsFrames();
    const part10 = encapsulate(native, JPEG_LS, frames, { basicOffsetTable: true, fragmentBytes: 64 });
    expect(storedFrames(part10).frames.map((f) => f.byteLength)).toEqual(frames.map((f) => f.byteLength + (f.byteLength % 2)));
    await decodesToNative(part10, native);
  });

  it('follows an Extended Offset Table', async () => {
    const { native, frames } = jpegLsFrames();
    await decodesToNative(encapsulate(native, JPEG_LS, frames, { extendedOffsetTable: true }), native);
  });

  it('splits fragments on the JPEG start-of-image marker when there is no offset table', async () => {
    const { native, frames } = jpegLsFrames();
    await decodesToNative(encapsulate(native, JPEG_LS, frames, { fragmentBytes: 50 }), native);
  });

  it('takes one fragment a frame when the counts match and there is no table', async () => {
    const { native, frames } = jpegLsFrames();
    await decodesToNative(encapsulate(native, JPEG_LS, frames), native);
  });

  it('splits JPEG 2000 fragments on the codestream start (SOC, SIZ)', async () => {
    const native = syntheticImage({ rows: 32, columns: 32, bitsAllocated: 16, frames: 3 });
    const frames = storedFrames(runTool('gdcmconv', ['--j2k'], native)).frames.map((f) => f.slice());
    await decodesToNative(encapsulate(native, '1.2.840.10008.1.2.4.90', frames, { fragmentBytes: 40 }), native);
  });

  it('refuses, value-free, fragments that cannot be assigned to frames', () => {
    const native = syntheticImage({ bitsAllocated: 16, frames: 3 });
    const frames = storedFrames(runTool('dcmcrle', [], native)).frames.map((f) => f.slice());
    // RLE frames have no start marker: six fragments for three frames and no table cannot be split.
    const part10 = encapsulate(native, RLE, frames, { fragmentBytes: Math.ceil((frames[0] as Uint8Array).byteLength / 2 / 2) * 2 });
    expect(() => storedFrames(part10)).toThrow(PixelDataError);
    expect(() => storedFrames(part10)).toThrow(/fragments for 3 frame\(s\) and no offset table/);
  });

  it('refuses an instance without Pixel Data', () => {
    const image = syntheticImage();
    const pixel = scanPart10(image).elements.find((e) => e.tag === 0x7fe00010) as ScannedElement;
    const bytes = Buffer.concat([image.subarray(0, pixel.headerStart), image.subarray(pixel.valueEnd)]);
    expect(() => storedFrames(bytes)).toThrow('pixel data: the instance has no Pixel Data');
  });
});

describe('storedFrames with a broken offset table', () => {
  it('ignores a Basic Offset Table whose offsets point between fragments and splits on start markers', async () => {
    const { native, frames } = jpegLsFrames();
    const part10 = new Uint8Array(encapsulate(native, JPEG_LS, frames, { basicOffsetTable: true, fragmentBytes: 64 }));
    const element = scanPart10(part10).elements.find((e) => e.tag === 0x7fe00010) as ScannedElement;
    const table = (element.fragments as { start: number }[])[0] as { start: number };
    // The second entry off by two bytes: inside the first frame's fragments.
    const view = new DataView(part10.buffer, part10.byteOffset);
    view.setUint32(table.start + 4, view.getUint32(table.start + 4, true) + 2, true);
    await decodesToNative(part10, native);
  });

  it('ignores an Extended Offset Table entry that points at no fragment', async () => {
    const { native, frames } = jpegLsFrames();
    const part10 = new Uint8Array(encapsulate(native, JPEG_LS, frames, { extendedOffsetTable: true }));
    const table = scanPart10(part10).elements.find((e) => e.tag === 0x7fe00001) as ScannedElement;
    const view = new DataView(part10.buffer, part10.byteOffset);
    view.setBigUint64(table.valueStart + 8, view.getBigUint64(table.valueStart + 8, true) + 2n, true);
    await decodesToNative(part10, native);
  });
});
