/**
 * A codec that aborts (a WebAssembly trap, out of memory) is unusable for the rest of the
 * process: its loader forgets it so the next frame starts a fresh instance. A refused
 * bitstream (a C++ exception, thrown as a number) keeps the instance.
 */
import { runDecoder, type CornerstoneDecoder } from '../../../../layers/dicom/pixels/codecs/cornerstone';
import { lazyModule } from '../../../../layers/dicom/pixels/codecs/load';
import { PixelDataError } from '../../../../layers/dicom/pixels';

function decoderThrowing(thrown: unknown): CornerstoneDecoder {
  return {
    getEncodedBuffer: (n) => new Uint8Array(n),
    decode: () => {
      throw thrown;
    },
    getFrameInfo: () => ({ width: 0, height: 0, bitsPerSample: 8, componentCount: 1 }),
    getDecodedBuffer: () => new Uint8Array(0),
    delete: () => undefined,
  };
}

describe('codec loader', () => {
  it('starts a fresh module after an abort, keeps it after a refused bitstream', async () => {
    let starts = 0;
    const loader = lazyModule(() => async () => ({ instance: ++starts }));
    expect(await loader()).toEqual({ instance: 1 });

    expect(() => runDecoder(() => decoderThrowing(5_251_072), new Uint8Array(4), 'test', loader.reset)).toThrow(PixelDataError);
    expect(await loader()).toEqual({ instance: 1 });

    // WebAssembly.RuntimeError, as a trap throws it (the project's TypeScript lib has no WebAssembly types).
    const trap = new (globalThis as unknown as { WebAssembly: { RuntimeError: new (m: string) => Error } }).WebAssembly.RuntimeError(
      'unreachable',
    );
    expect(() => runDecoder(() => decoderThrowing(trap), new Uint8Array(4), 'test', loader.reset)).toThrow(
      'pixel data: the test decoder could not decode a frame',
    );
    expect(await loader()).toEqual({ instance: 2 });
  });

  it('retries a module whose start failed', async () => {
    let attempts = 0;
    const loader = lazyModule(() => async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('no memory');
      return 'started';
    });
    await expect(loader()).rejects.toThrow('no memory');
    await expect(loader()).resolves.toBe('started');
  });
});
