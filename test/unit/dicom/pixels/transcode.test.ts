/**
 * transcodeToExplicitLittleEndian: the whole instance, re-encoded; what dcmtk writes
 * for the same conversion (dcmconv +te for native encodings, the decompressors for
 * encapsulated ones) is the reference for every element, Pixel Data included.
 */
import { scanPart10 } from '../../../../layers/dicom/part10';
import { frameAsExplicitLittleEndian, storedFrames, transcodeToExplicitLittleEndian } from '../../../../layers/dicom/pixels';
import { pixelBytes } from '../../../support/dicom-inspect';
import { dump, editInPlace, encapsulate, fixture, runTool, syntheticImage } from '../../../support/reference-decode';

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

describe('transcodeToExplicitLittleEndian', () => {
  it('returns an Explicit VR Little Endian instance unchanged', async () => {
    const part10 = fixture('transfer-syntax/MR_small.dcm');
    expect(await transcodeToExplicitLittleEndian(part10)).toBe(part10);
  });

  it.each([
    // -e: dcmconv writes sequences and items with undefined length, as the transcoder does
    ['transfer-syntax/MR_small_implicit.dcm', 'dcmconv', ['+te', '-e']],
    ['transfer-syntax/MR_small_bigendian.dcm', 'dcmconv', ['+te', '-e']],
    ['sequences/rtplan.dcm', 'dcmconv', ['+te', '-e']],
    ['chest-xray/nih-cxr-dx.dcm', 'dcmconv', ['+te', '-e']],
    ['transfer-syntax/MR_small_RLE.dcm', 'dcmdrle', []],
    ['ct/CT_small_jpeg_lossless.dcm', 'dcmdjpeg', []],
    ['transfer-syntax/MR_small_jpeg_ls_lossless.dcm', 'dcmdjpls', []],
    ['transfer-syntax/MR_small_jp2klossless.dcm', 'gdcmconv', ['--raw']],
  ])('re-encodes %s as %s does', async (path, tool, args) => {
    const part10 = fixture(path);
    const ours = await transcodeToExplicitLittleEndian(part10);
    const theirs = runTool(tool, args as string[], part10);
    expect(scanPart10(ours).transferSyntaxUid).toBe(EXPLICIT_LITTLE);
    expect(dump(ours)).toEqual(dump(theirs));
    expect(pixelBytes(ours)?.equals(pixelBytes(theirs) as Buffer)).toBe(pixelBytes(theirs) ? true : undefined);
  });

  it('inflates a Deflated Explicit VR Little Endian instance and writes it as dcmconv +te does', async () => {
    const deflated = runTool('dcmconv', ['+td'], fixture('ct/CT_small.dcm'));
    expect(scanPart10(deflated).transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
    const ours = await transcodeToExplicitLittleEndian(deflated);
    expect(scanPart10(ours).transferSyntaxUid).toBe(EXPLICIT_LITTLE);
    expect(dump(ours)).toEqual(dump(runTool('dcmconv', ['+te'], deflated)));
    expect(pixelBytes(ours)).toEqual(pixelBytes(fixture('ct/CT_small.dcm')));
  });

  it('writes colour decoded from RLE interleaved, with PlanarConfiguration 0', async () => {
    const native = syntheticImage({ samplesPerPixel: 3, frames: 2 });
    const ours = await transcodeToExplicitLittleEndian(runTool('dcmcrle', [], native));
    expect(pixelBytes(ours)).toEqual(pixelBytes(native));
    expect(dump(ours)).toContain('(0028,0006) US 0');
  });

  it('decodes JPEG baseline YBR_FULL_422 to RGB, by pixel, flagged lossy, as dcmdjpeg does', async () => {
    const jpeg = runTool('dcmcjpeg', ['+eb'], syntheticImage({ samplesPerPixel: 3, frames: 2 }));
    expect(dump(jpeg)).toContain('YBR_FULL_422');
    const ours = await transcodeToExplicitLittleEndian(jpeg);
    const theirs = runTool('dcmdjpeg', [], jpeg);
    expect(dump(ours)).toEqual(dump(theirs));
    expect(dump(ours)).toMatch(/\(0028,0004\) CS \[RGB\]/);
    expect(pixelBytes(ours)).toEqual(pixelBytes(theirs));
  });

  it('adds LossyImageCompression 01 to a JPEG baseline instance that lacks it', async () => {
    const jpeg = editInPlace('dcmodify', ['-nb', '-ea', '(0028,2110)'], runTool('dcmcjpeg', ['+eb'], syntheticImage()));
    expect(dump(jpeg)).not.toContain('(0028,2110)');
    expect(dump(await transcodeToExplicitLittleEndian(jpeg))).toMatch(/\(0028,2110\) CS \[01\]/);
  });

  it('removes the Extended Offset Table with the fragments it described', async () => {
    const native = syntheticImage({ bitsAllocated: 16, frames: 2 });
    const frames = storedFrames(runTool('dcmcjpls', [], native)).frames.map((f) => f.slice());
    const ours = await transcodeToExplicitLittleEndian(
      encapsulate(native, '1.2.840.10008.1.2.4.80', frames, { extendedOffsetTable: true }),
    );
    expect(dump(ours)).not.toMatch(/\(7fe0,000[12]\)/);
    expect(pixelBytes(ours)).toEqual(pixelBytes(native));
  });

  it.each([
    ['Big Endian', fixture('transfer-syntax/MR_small_bigendian.dcm')],
    ['Implicit VR', fixture('transfer-syntax/MR_small_implicit.dcm')],
    ['RLE, 3 frames', runTool('dcmcrle', [], syntheticImage({ bitsAllocated: 16, frames: 3 }))],
    ['JPEG-LS colour, 2 frames', runTool('dcmcjpls', [], syntheticImage({ samplesPerPixel: 3, frames: 2 }))],
    ['JPEG 2000', fixture('transfer-syntax/MR_small_jp2klossless.dcm')],
  ])('gives each %s frame as the bytes it has in the transcoded Pixel Data', async (_, part10) => {
    const { frames, transferSyntaxUid, pixel } = storedFrames(part10);
    const each = [];
    for (const frame of frames) each.push(await frameAsExplicitLittleEndian(frame, transferSyntaxUid, pixel));
    expect(Buffer.concat(each)).toEqual(pixelBytes(await transcodeToExplicitLittleEndian(part10)));
  });
});
