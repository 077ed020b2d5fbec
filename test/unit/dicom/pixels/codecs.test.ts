/**
 * Every compressed transfer syntax decodes to the values of a reference decoder:
 * dcmtk (dcmdjpeg, dcmdjpls) and gdcm (gdcmconv --raw, OpenJPEG underneath) on
 * the same file. Fixtures are the public samples plus images compressed here by
 * dcmtk and gdcm from native synthetic ones.
 */
import { canDecode, decodeFrame, storedFrames, UnsupportedTransferSyntax, type DecodedFrame } from '../../../../layers/dicom/pixels';
import { pixelBytes } from '../../../support/dicom-inspect';
import { encapsulate, fixture, htj2kFrames, runTool, syntheticImage, type SyntheticImage } from '../../../support/reference-decode';

const bytesOf = (frame: DecodedFrame): Buffer => Buffer.from(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength);

async function decodeAll(part10: Uint8Array): Promise<{ bytes: Buffer; frames: DecodedFrame[] }> {
  const { frames, transferSyntaxUid, pixel } = storedFrames(part10);
  const decoded: DecodedFrame[] = [];
  for (const frame of frames) decoded.push(await decodeFrame(frame, transferSyntaxUid, pixel));
  return { bytes: Buffer.concat(decoded.map(bytesOf)), frames: decoded };
}

const syntaxOf = (part10: Uint8Array): string => storedFrames(part10).transferSyntaxUid;

const GREY16: SyntheticImage = { bitsAllocated: 16, bitsStored: 16, frames: 2 };
const SIGNED12: SyntheticImage = { bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1 };
const GREY8: SyntheticImage = { bitsAllocated: 8 };
const RGB: SyntheticImage = { samplesPerPixel: 3, frames: 2 };

describe('JPEG Lossless (.57, .70) equals dcmdjpeg', () => {
  it('decodes the CT fixture', async () => {
    const part10 = fixture('ct/CT_small_jpeg_lossless.dcm');
    expect(syntaxOf(part10)).toBe('1.2.840.10008.1.2.4.70');
    expect((await decodeAll(part10)).bytes).toEqual(pixelBytes(runTool('dcmdjpeg', [], part10)));
    // and that is CT_small's own native Pixel Data
    expect((await decodeAll(part10)).bytes).toEqual(pixelBytes(fixture('ct/CT_small.dcm')));
  });

  it.each([
    ['16-bit, 2 frames, SV1', GREY16, ['+e1'], '.70'],
    ['signed 12-bit, SV1', SIGNED12, ['+e1'], '.70'],
    ['8-bit, process 14 predictor 7', GREY8, ['+el', '+sv', '7'], '.57'],
    ['RGB, 2 frames, predictor 4', RGB, ['+el', '+sv', '4'], '.57'],
  ])('decodes %s encoded by dcmcjpeg', async (_, image, args, syntax) => {
    const part10 = runTool('dcmcjpeg', args as string[], syntheticImage(image as SyntheticImage));
    expect(syntaxOf(part10)).toBe(`1.2.840.10008.1.2.4${syntax as string}`);
    expect(canDecode(syntaxOf(part10))).toBe(true);
    expect((await decodeAll(part10)).bytes).toEqual(pixelBytes(runTool('dcmdjpeg', [], part10)));
  });
});

describe('JPEG-LS (.80, .81) equals dcmdjpls', () => {
  it('decodes the MR fixture', async () => {
    const part10 = fixture('transfer-syntax/MR_small_jpeg_ls_lossless.dcm');
    expect((await decodeAll(part10)).bytes).toEqual(pixelBytes(runTool('dcmdjpls', [], part10)));
  });

  it.each([
    ['16-bit, 2 frames, lossless', GREY16, ['+el'], '.80'],
    ['signed 12-bit, lossless', SIGNED12, ['+el'], '.80'],
    ['8-bit near-lossless', GREY8, ['+en'], '.81'],
    // dcmcjpls pads an odd frame with 0xFF after EOI: the frame still counts as complete
    ['12-bit near-lossless, 3 frames', { ...GREY16, bitsStored: 12, frames: 3 }, ['+en'], '.81'],
    ['RGB line-interleaved', RGB, ['+el', '+il'], '.80'],
    ['RGB sample-interleaved', RGB, ['+el', '+is'], '.80'],
    ['RGB not interleaved', RGB, ['+el', '+in'], '.80'],
    ['RGB near-lossless', RGB, ['+en'], '.81'],
  ])('decodes %s encoded by dcmcjpls', async (_, image, args, syntax) => {
    const part10 = runTool('dcmcjpls', args as string[], syntheticImage(image as SyntheticImage));
    expect(syntaxOf(part10)).toBe(`1.2.840.10008.1.2.4${syntax as string}`);
    expect(canDecode(syntaxOf(part10))).toBe(true);
    // dcmdjpls writes colour by pixel with +px, as decodeFrame returns it
    expect((await decodeAll(part10)).bytes).toEqual(pixelBytes(runTool('dcmdjpls', ['+px'], part10)));
  });
});

describe('JPEG 2000 (.90, .91) equals gdcmconv --raw (OpenJPEG)', () => {
  it('decodes the MR fixture', async () => {
    const part10 = fixture('transfer-syntax/MR_small_jp2klossless.dcm');
    expect((await decodeAll(part10)).bytes).toEqual(pixelBytes(runTool('gdcmconv', ['--raw'], part10)));
  });

  it.each([
    ['16-bit, 2 frames, lossless', GREY16, ['--j2k'], '.90'],
    ['signed 12-bit, lossless', SIGNED12, ['--j2k'], '.90'],
    ['8-bit lossy', GREY8, ['--j2k', '--lossy', '-q', '30'], '.91'],
    ['RGB lossless', RGB, ['--j2k'], '.90'],
    ['RGB lossy', RGB, ['--j2k', '--lossy', '-q', '30'], '.91'],
  ])('decodes %s encoded by gdcmconv', async (_, image, args, syntax) => {
    const part10 = runTool('gdcmconv', args as string[], syntheticImage(image as SyntheticImage));
    expect(syntaxOf(part10)).toBe(`1.2.840.10008.1.2.4${syntax as string}`);
    expect(canDecode(syntaxOf(part10))).toBe(true);
    const reference = runTool('gdcmconv', ['--raw'], part10);
    const { bytes, frames } = await decodeAll(part10);
    expect(bytes).toEqual(pixelBytes(reference));
    if ((image as SyntheticImage).samplesPerPixel === 3) expect(frames[0]?.photometricInterpretation).toBe('RGB');
  });
});

describe('JPEG baseline and extended (.50, .51) equals dcmdjpeg', () => {
  it.each([
    ['8-bit grey', GREY8],
    ['RGB (YBR_FULL_422 after dcmcjpeg)', RGB],
  ])('decodes %s baseline to the values dcmdjpeg decodes', async (_, image) => {
    const part10 = runTool('dcmcjpeg', ['+eb'], syntheticImage(image));
    expect(syntaxOf(part10)).toBe('1.2.840.10008.1.2.4.50');
    const reference = pixelBytes(runTool('dcmdjpeg', [], part10)) as Buffer;
    const { bytes, frames } = await decodeAll(part10);
    // Lossy, but both are IJG libjpeg (dcmtk's 6b, libjpeg-turbo): same IDCT and upsampling, same values.
    expect(bytes).toEqual(reference);
    if (image.samplesPerPixel === 3) expect(frames[0]?.photometricInterpretation).toBe('RGB');
  });

  it('decodes 8-bit extended (.51) and refuses 12-bit extended as unsupported', async () => {
    const eight = runTool('dcmcjpeg', ['+ee'], syntheticImage(GREY8));
    expect(syntaxOf(eight)).toBe('1.2.840.10008.1.2.4.51');
    expect(canDecode('1.2.840.10008.1.2.4.51', storedFrames(eight).pixel)).toBe(true);
    expect((await decodeAll(eight)).bytes).toEqual(pixelBytes(runTool('dcmdjpeg', [], eight)));

    const twelve = runTool('dcmcjpeg', ['+ee'], syntheticImage({ bitsAllocated: 16, bitsStored: 12 }));
    expect(canDecode('1.2.840.10008.1.2.4.51')).toBe(false);
    expect(canDecode('1.2.840.10008.1.2.4.51', storedFrames(twelve).pixel)).toBe(false);
    await expect(decodeAll(twelve)).rejects.toThrow(UnsupportedTransferSyntax);
  });
});

describe('HTJ2K (.201, .202, .203) equals OpenJPEG 2.5 through gdcmconv --raw', () => {
  it.each([
    ['16-bit, 2 frames, lossless', GREY16, true, '.201', false],
    ['signed 12-bit, lossless RPCL', SIGNED12, true, '.202', true],
    ['RGB with the colour transform, lossless', RGB, true, '.201', false],
    ['16-bit lossy', { ...GREY16, frames: 1 }, false, '.203', false],
    ['RGB lossy', RGB, false, '.203', false],
  ])('decodes %s encoded by OpenJPH', async (_, image, lossless, syntax, rpcl) => {
    const native = syntheticImage(image as SyntheticImage);
    const frames = await htj2kFrames(native, { lossless: lossless as boolean, rpcl: rpcl as boolean });
    const part10 = encapsulate(native, `1.2.840.10008.1.2.4${syntax as string}`, frames);
    expect(canDecode(syntaxOf(part10))).toBe(true);
    // gdcm knows no HTJ2K syntax, so it reads the same codestreams labelled JPEG 2000 (lossless only, or not, as they are).
    const asJpeg2000 = encapsulate(native, lossless ? '1.2.840.10008.1.2.4.90' : '1.2.840.10008.1.2.4.91', frames);
    const reference = pixelBytes(runTool('gdcmconv', ['--raw'], asJpeg2000)) as Buffer;
    const { bytes, frames: decoded } = await decodeAll(part10);
    if (lossless) {
      expect(bytes).toEqual(reference);
      expect(bytes).toEqual(pixelBytes(native));
    } else {
      // The irreversible 9/7 wavelet runs in floating point: two implementations may round a sample differently.
      expect(maxSampleDifference(decoded, reference)).toBeLessThanOrEqual(1);
    }
    if ((image as SyntheticImage).samplesPerPixel === 3) expect(decoded[0]?.photometricInterpretation).toBe('RGB');
  });
});

/** Largest |ours - reference| over all samples, the reference read as the frames' own sample type. */
function maxSampleDifference(frames: DecodedFrame[], reference: Buffer): number {
  let max = 0;
  let at = 0;
  for (const frame of frames) {
    const width = frame.pixels.BYTES_PER_ELEMENT;
    const theirs = new (frame.pixels.constructor as new (b: ArrayBuffer) => ArrayLike<number>)(
      Uint8Array.prototype.slice.call(reference, at, at + frame.pixels.length * width).buffer,
    );
    for (let i = 0; i < frame.pixels.length; i++) max = Math.max(max, Math.abs((frame.pixels[i] as number) - (theirs[i] as number)));
    at += frame.pixels.length * width;
  }
  return max;
}
