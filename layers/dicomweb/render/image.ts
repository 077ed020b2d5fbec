/** The two shapes rendering works on: a decoded frame in, an 8-bit image out. */

/** A decoded frame as layers/dicom's pixels API hands it over (DecodedFrame): samples interleaved unless planarConfiguration is 1. */
export interface RenderableFrame {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: 0 | 1;
  readonly photometricInterpretation: string;
  readonly planarConfiguration: 0 | 1;
  readonly pixels: ArrayLike<number>;
}

/** 8 bits per sample, 1 (grayscale) or 3 (RGB) samples interleaved, row by row. */
export interface RenderedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

export class UnrenderableImage extends Error {
  override readonly name = 'UnrenderableImage';
}
