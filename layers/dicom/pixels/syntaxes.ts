/** Transfer syntaxes the pixel layer knows, and what each says about its Pixel Data. */
export const PIXEL_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  encapsulatedUncompressed: '1.2.840.10008.1.2.1.98',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kLosslessRpcl: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
} as const;

/** Pixel Data stored as bytes in the data set's own encoding (no fragments). */
export const NATIVE_SYNTAXES: ReadonlySet<string> = new Set([
  PIXEL_SYNTAX.implicitLittle,
  PIXEL_SYNTAX.explicitLittle,
  PIXEL_SYNTAX.deflatedExplicitLittle,
  PIXEL_SYNTAX.explicitBig,
]);

/** Syntaxes whose every frame went through a lossy (DCT) process, whatever LossyImageCompression says. */
export const ALWAYS_LOSSY: ReadonlySet<string> = new Set([PIXEL_SYNTAX.jpegBaseline, PIXEL_SYNTAX.jpegExtended]);

/** The frame starts of each compressed family: a fragment opening with one starts a new frame. */
export type FrameStart = 'jpeg' | 'j2k' | 'none';

export function frameStartOf(transferSyntaxUid: string): FrameStart {
  switch (transferSyntaxUid) {
    case PIXEL_SYNTAX.jpegBaseline:
    case PIXEL_SYNTAX.jpegExtended:
    case PIXEL_SYNTAX.jpegLossless:
    case PIXEL_SYNTAX.jpegLosslessSv1:
    case PIXEL_SYNTAX.jpegLsLossless:
    case PIXEL_SYNTAX.jpegLsNearLossless:
      return 'jpeg';
    case PIXEL_SYNTAX.jpeg2000Lossless:
    case PIXEL_SYNTAX.jpeg2000:
    case PIXEL_SYNTAX.htj2kLossless:
    case PIXEL_SYNTAX.htj2kLosslessRpcl:
    case PIXEL_SYNTAX.htj2k:
      return 'j2k';
    default:
      return 'none';
  }
}
