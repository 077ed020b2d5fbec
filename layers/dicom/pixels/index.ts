/**
 * Pixel Data: frames as stored, decoding of each transfer syntax hilum reads,
 * and transcoding of a whole instance to Explicit VR Little Endian. Pure: no
 * AWS, no I/O; the WebAssembly codecs load on the first frame that needs them.
 */
export { type ImagePixelDescription } from './description';
export { storedFrames, type StoredFrames } from './frames';
export { type DecodedFrame, type PixelSamples } from './decoded';
export { canDecode, decodeFrame } from './decode';
export { transcodeToExplicitLittleEndian } from './transcode';
export { frameAsExplicitLittleEndian } from './explicit-frame';
export { PixelDataError, UnsupportedTransferSyntax } from './errors';
export { PIXEL_SYNTAX } from './syntaxes';
export { CODEC_FILES } from './codecs/load';
