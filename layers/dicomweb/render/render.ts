/**
 * A rendered frame (PS3.18 8.3.5, PS3.4 N.2): grayscale through the Modality LUT, VOI and
 * presentation, or color to RGB; then the viewport; then JPEG or PNG.
 */
import type { RenderAttributes } from './attributes';
import { renderColor } from './color';
import { renderGrayscale } from './grayscale';
import type { RenderableFrame, RenderedImage } from './image';
import { encodeJpeg } from './jpeg';
import type { RenderedMediaType } from './media-types';
import type { RenderParameters, ViewportParameter } from './parameters';
import { encodePng } from './png';
import { applyViewport } from './viewport';

/** A thumbnail fits 128 x 128 unless the request gives a viewport. */
export const THUMBNAIL_VIEWPORT: ViewportParameter = { width: 128, height: 128 };

const isGrayscale = (photometric: string): boolean => /^MONOCHROME[12]$/.test(photometric.trim().toUpperCase());

export function renderFrame(frame: RenderableFrame, attributes: RenderAttributes, parameters: RenderParameters = {}): RenderedImage {
  const image = isGrayscale(frame.photometricInterpretation)
    ? renderGrayscale(frame, attributes, parameters.window)
    : renderColor(frame, attributes);
  return parameters.viewport ? applyViewport(image, parameters.viewport) : image;
}

export function encodeRendered(image: RenderedImage, mediaType: RenderedMediaType, quality?: number): Uint8Array {
  return mediaType === 'image/png' ? encodePng(image) : encodeJpeg(image, quality);
}
