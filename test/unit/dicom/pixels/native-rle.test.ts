/**
 * Native and RLE frames decode to the values dcmtk decodes (dcmconv +te for the
 * native encodings, dcmdrle for RLE), single and multi-frame, grey and colour.
 */
import { canDecode, decodeFrame, storedFrames, transcodeToExplicitLittleEndian, type DecodedFrame } from '../../../../layers/dicom/pixels';
import { pixelBytes } from '../../../support/dicom-inspect';
import { encapsulate, fixture, runTool, syntheticImage, type SyntheticImage } from '../../../support/reference-decode';

const bytesOf = (frame: DecodedFrame): Buffer => Buffer.from(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength);

async function decodedPixelData(part10: Uint8Array): Promise<Buffer> {
  const { frames, transferSyntaxUid, pixel } = storedFrames(part10);
  const decoded = [];
  for (const frame of frames) decoded.push(bytesOf(await decodeFrame(frame, transferSyntaxUid, pixel)));
  return Buffer.concat(decoded);
}

describe('native Pixel Data', () => {
  const reference = pixelBytes(fixture('transfer-syntax/MR_small.dcm')) as Buffer;

  it.each(['MR_small.dcm', 'MR_small_implicit.dcm', 'MR_small_bigendian.dcm'])(
    'decodes %s to the values dcmconv +te writes',
    async (name) => {
      const part10 = fixture(`transfer-syntax/${name}`);
      const { frames, transferSyntaxUid, pixel } = storedFrames(part10);
      expect(frames).toHaveLength(1);
      const frame = await decodeFrame(frames[0] as Uint8Array, transferSyntaxUid, pixel);
      expect(frame.pixels).toBeInstanceOf(Int16Array);
      expect(frame.pixels).toHaveLength(64 * 64);
      expect(bytesOf(frame).equals(reference)).toBe(true);
      expect(bytesOf(frame).equals(pixelBytes(runTool('dcmconv', ['+te'], part10)) as Buffer)).toBe(true);
    },
  );

  it('splits a multi-frame instance into its frames in order', async () => {
    const image = syntheticImage({ frames: 3, bitsAllocated: 16, bitsStored: 12 });
    const { frames } = storedFrames(image);
    expect(frames).toHaveLength(3);
    expect(frames[0]).not.toEqual(frames[1]);
    expect(await decodedPixelData(image)).toEqual(pixelBytes(image));
  });

  it('interleaves colour stored by plane, as dcmconv writes it by pixel', async () => {
    const planar = syntheticImage({ samplesPerPixel: 3, planarConfiguration: 1 });
    const interleaved = syntheticImage({ samplesPerPixel: 3, planarConfiguration: 0 });
    const { frames, transferSyntaxUid, pixel } = storedFrames(planar);
    const frame = await decodeFrame(frames[0] as Uint8Array, transferSyntaxUid, pixel);
    expect(frame.planarConfiguration).toBe(0);
    expect(bytesOf(frame)).toEqual(pixelBytes(interleaved));
  });

  it('unpacks 1-bit frames that start inside a byte', async () => {
    // 3 x 3 = 9 bits a frame: the second frame starts at bit 1 of byte 1.
    const bits = [1, 0, 1, 1, 0, 0, 1, 0, 1, /* frame 2 */ 0, 1, 1, 0, 1, 0, 0, 1, 1];
    const packed = new Uint8Array(4);
    bits.forEach((b, i) => (packed[i >> 3] = (packed[i >> 3] as number) | (b << (i & 7))));
    const part10 = syntheticImage({ rows: 3, columns: 3, frames: 2, bitsAllocated: 1, pixelData: packed });
    const { frames, transferSyntaxUid, pixel } = storedFrames(part10);
    const second = await decodeFrame(frames[1] as Uint8Array, transferSyntaxUid, pixel);
    expect(Array.from(second.pixels)).toEqual(bits.slice(9));
  });
});

describe('RLE Lossless', () => {
  it('decodes the MR fixture to the values dcmdrle writes', async () => {
    const rle = fixture('transfer-syntax/MR_small_RLE.dcm');
    expect(canDecode('1.2.840.10008.1.2.5')).toBe(true);
    expect((await decodedPixelData(rle)).equals(pixelBytes(runTool('dcmdrle', [], rle)) as Buffer)).toBe(true);
  });

  it.each([
    ['16-bit signed grey, 3 frames', { frames: 3, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1 } as SyntheticImage],
    ['8-bit grey', { bitsAllocated: 8 } as SyntheticImage],
    ['8-bit RGB', { samplesPerPixel: 3 } as SyntheticImage],
  ])('decodes %s encoded by dcmcrle to the source values', async (_, options) => {
    const native = syntheticImage(options);
    const rle = runTool('dcmcrle', [], native);
    expect(storedFrames(rle).frames).toHaveLength(options.frames ?? 1);
    expect(await decodedPixelData(rle)).toEqual(pixelBytes(native));
  });
});

describe('input held in a Node Buffer', () => {
  it('decodes a file that sits at an offset inside a larger buffer, as S3 bodies and Buffer pools give it', async () => {
    const file = fixture('transfer-syntax/MR_small.dcm');
    const host = new Uint8Array(file.byteLength + 3);
    host.set(file, 3);
    const buffer = Buffer.from(host.buffer, 3, file.byteLength);
    const { frames, transferSyntaxUid, pixel } = storedFrames(buffer);
    const frame = await decodeFrame(frames[0] as Uint8Array, transferSyntaxUid, pixel);
    expect(bytesOf(frame)).toEqual(pixelBytes(file));
  });

  it('reads a native frame in place where its offset suits the samples, without copying it', async () => {
    const file = fixture('transfer-syntax/MR_small.dcm');
    const host = new Uint8Array(file.byteLength + 4);
    host.set(file, 4);
    const buffer = Buffer.from(host.buffer, 4, file.byteLength);
    const { frames, transferSyntaxUid, pixel } = storedFrames(buffer);
    const frame = await decodeFrame(frames[0] as Uint8Array, transferSyntaxUid, pixel);
    expect(bytesOf(frame)).toEqual(pixelBytes(file));
    expect(frame.pixels.buffer).toBe(host.buffer);
    expect(frame.pixels.byteOffset).toBe((frames[0] as Uint8Array).byteOffset);
  });
});

describe('Encapsulated Uncompressed Explicit VR Little Endian (.1.2.1.98)', () => {
  it('reads native frames out of fragments and transcodes them to plain Pixel Data', async () => {
    const native = syntheticImage({ bitsAllocated: 16, frames: 3 });
    const frames = storedFrames(native).frames.map((f) => new Uint8Array(f));
    const encapsulated = encapsulate(native, '1.2.840.10008.1.2.1.98', frames, { basicOffsetTable: true });
    expect(canDecode('1.2.840.10008.1.2.1.98')).toBe(true);
    expect(await decodedPixelData(encapsulated)).toEqual(pixelBytes(native));
    expect(pixelBytes(await transcodeToExplicitLittleEndian(encapsulated))).toEqual(pixelBytes(native));
  });
});
