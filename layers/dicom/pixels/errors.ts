/**
 * Pixel Data that cannot be framed or decoded: none present, a description that
 * does not fit the bytes, a transfer syntax or bit depth no bundled codec reads,
 * or a codec that refused the bitstream. The message names attributes, syntaxes
 * and counts, never a value, so a handler may log it or answer with it.
 */
export class PixelDataError extends Error {
  override readonly name: string = 'PixelDataError';
}

/** A transfer syntax (or a bit depth within one) that no bundled decoder reads: a client should get 406/415-like answers, not 500. */
export class UnsupportedTransferSyntax extends PixelDataError {
  override readonly name: string = 'UnsupportedTransferSyntax';
}
