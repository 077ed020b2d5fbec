/**
 * transcodeToExplicitLittleEndian: the whole instance, re-encoded; what dcmtk writes
 * for the same conversion (dcmconv +te for native encodings, the decompressors for
 * encapsulated ones) is the reference for every element, Pixel Data included.
 */
import { scanPart10 } from '../../../../layers/dicom/part10';
import { transcodeToExplicitLittleEndian } from '../../../../layers/dicom/pixels';
import { pixelBytes } from '../../../support/dicom-inspect';
import { dump, fixture, runTool, syntheticImage } from '../../../support/reference-decode';

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

describe('transcodeToExplicitLittleEndian', () => {
  it('returns an Explicit VR Little Endian instance unchanged', async () => {
    const part10 = fixture('transfer-syntax/MR_small.dcm');
    expect(await transcodeToExplicitLittleEndian(part10)).toBe(part10);
  });

  it.each([
    ['transfer-syntax/MR_small_implicit.dcm', 'dcmconv', ['+te', '-e']],
    ['transfer-syntax/MR_small_bigendian.dcm', 'dcmconv', ['+te', '-e']],
    ['sequences/rtplan.dcm', 'dcmconv', ['+te', '-e']],
    ['chest-xray/nih-cxr-dx.dcm', 'dcmconv', ['+te', '-e']],
    ['transfer-syntax/MR_small_RLE.dcm', 'dcmdrle', []],
  ])('re-encodes %s as %s does (sequences written with undefined length)', async (path, tool, args) => {
    const part10 = fixture(path);
    const ours = await transcodeToExplicitLittleEndian(part10);
    const theirs = runTool(tool, args as string[], part10);
    expect(scanPart10(ours).transferSyntaxUid).toBe(EXPLICIT_LITTLE);
    expect(dump(ours)).toEqual(dump(theirs));
    expect(pixelBytes(ours)?.equals(pixelBytes(theirs) as Buffer)).toBe(pixelBytes(theirs) ? true : undefined);
  });

  it('writes colour decoded from RLE interleaved, with PlanarConfiguration 0', async () => {
    const native = syntheticImage({ samplesPerPixel: 3, frames: 2 });
    const ours = await transcodeToExplicitLittleEndian(runTool('dcmcrle', [], native));
    expect(pixelBytes(ours)).toEqual(pixelBytes(native));
    expect(dump(ours)).toContain('(0028,0006) US 0');
  });
});
