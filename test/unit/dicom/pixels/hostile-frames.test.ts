/**
 * Damaged or hostile frames are refused fast and value-free, before a codec spends
 * time on them: a JPEG-LS frame cut short (CharLS took 10-60 s on some cuts of a
 * 64x64 frame), a codestream that declares another image than the header, and
 * random damage to every codec's frames.
 */
import { decodeFrame, PixelDataError, storedFrames } from '../../../../layers/dicom/pixels';
import { encapsulate, fixture, htj2kFrames, runTool, syntheticImage } from '../../../support/reference-decode';

async function outcome(frame: Uint8Array, transferSyntaxUid: string, pixel: Parameters<typeof decodeFrame>[2]): Promise<string> {
  try {
    await decodeFrame(frame, transferSyntaxUid, pixel);
    return 'decoded';
  } catch (error) {
    return error instanceof PixelDataError ? 'PixelDataError' : `other: ${(error as Error).name}`;
  }
}

describe('hostile frames', () => {
  it('refuses a truncated JPEG-LS frame at once', async () => {
    const { frames, transferSyntaxUid, pixel } = storedFrames(fixture('transfer-syntax/MR_small_jpeg_ls_lossless.dcm'));
    const frame = frames[0] as Uint8Array;
    await decodeFrame(frame, transferSyntaxUid, pixel); // the codec is loaded before the clock starts
    const started = Date.now();
    await expect(decodeFrame(frame.slice(0, 4400), transferSyntaxUid, pixel)).rejects.toThrow('does not end with an EOI marker');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a codestream that declares another image than the header', async () => {
    const small = storedFrames(runTool('gdcmconv', ['--j2k'], syntheticImage({ rows: 16, columns: 16 })));
    const { pixel } = storedFrames(syntheticImage({ rows: 24, columns: 20 }));
    await expect(decodeFrame(small.frames[0] as Uint8Array, '1.2.840.10008.1.2.4.90', pixel)).rejects.toThrow(
      'pixel data: a JPEG 2000 frame declares 16x16, the header says 20x24',
    );
    const ls = storedFrames(runTool('dcmcjpls', [], syntheticImage({ rows: 16, columns: 16 })));
    await expect(decodeFrame(ls.frames[0] as Uint8Array, '1.2.840.10008.1.2.4.80', pixel)).rejects.toThrow(PixelDataError);
  });

  it('decodes or refuses with PixelDataError every damaged frame, each within a second', async () => {
    const native = syntheticImage({ bitsAllocated: 16, rows: 32, columns: 32 });
    const instances = [
      fixture('transfer-syntax/MR_small_jpeg_ls_lossless.dcm'),
      fixture('transfer-syntax/MR_small_jp2klossless.dcm'),
      fixture('ct/CT_small_jpeg_lossless.dcm'),
      fixture('transfer-syntax/MR_small_RLE.dcm'),
      runTool('dcmcjpeg', ['+eb'], syntheticImage({ samplesPerPixel: 3 })),
      encapsulate(native, '1.2.840.10008.1.2.4.201', await htj2kFrames(native, { lossless: true })),
    ];
    let seed = 20261206;
    const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (const instance of instances) {
      const { frames, transferSyntaxUid, pixel } = storedFrames(instance);
      const frame = frames[0] as Uint8Array;
      for (let i = 0; i < 60; i++) {
        let damaged = frame.slice();
        if (i % 2 === 0) damaged = damaged.slice(0, Math.floor(random() * damaged.byteLength));
        else
          for (let k = 0; k < 1 + Math.floor(random() * 8); k++)
            damaged[Math.floor(random() * damaged.byteLength)] = Math.floor(random() * 256);
        const started = Date.now();
        expect(['decoded', 'PixelDataError']).toContain(await outcome(damaged, transferSyntaxUid, pixel));
        expect(Date.now() - started).toBeLessThan(1000);
      }
    }
  });
});
