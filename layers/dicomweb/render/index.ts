export { renderAttributes, type RenderAttributes, type Lut, type HeaderWindow } from './attributes';
export { UnrenderableImage, type RenderableFrame, type RenderedImage } from './image';
export { NotAcceptableMediaType, negotiateRenderedType, RENDERED_MEDIA_TYPES, type RenderedMediaType } from './media-types';
export {
  InvalidRenderParameter,
  MAX_VIEWPORT_SIDE,
  parseRenderParameters,
  type RenderParameters,
  type ViewportParameter,
  type VoiFunction,
  type WindowParameter,
} from './parameters';
export { DEFAULT_JPEG_QUALITY } from './jpeg';
export { encodeRendered, renderFrame, THUMBNAIL_VIEWPORT } from './render';
export { grayscaleDisplayTable, type DisplayTable } from './grayscale';
export { InvalidFrameList, MAX_FRAME_LIST, parseFrameList, representativeOrder } from './selection';
