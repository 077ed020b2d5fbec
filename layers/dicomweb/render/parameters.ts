/**
 * The query parameters of rendered resources (PS3.18 8.3.5.1): `window`, `viewport`,
 * `quality`, and the ones hilum accepts without acting on (`annotation`, `iccprofile`,
 * `charset`). Parsing is strict: a parameter that is present but ill-formed is refused,
 * as the standard asks (400), with a message that names the parameter, never its value.
 */

export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface WindowParameter {
  readonly center: number;
  readonly width: number;
  readonly fn: VoiFunction;
}

/** `viewport=vw,vh[,sx,sy,sw,sh]`: the output box and, optionally, the source region (negative sw/sh flip). */
export interface ViewportParameter {
  readonly width: number;
  readonly height: number;
  readonly region?: { readonly x?: number; readonly y?: number; readonly width?: number; readonly height?: number };
}

export interface RenderParameters {
  readonly window?: WindowParameter;
  readonly viewport?: ViewportParameter;
  /** 1..100, JPEG only. */
  readonly quality?: number;
}

export class InvalidRenderParameter extends Error {
  override readonly name = 'InvalidRenderParameter';
}

/** Largest viewport side: a bigger output cannot be answered within Lambda's memory and response limits. */
export const MAX_VIEWPORT_SIDE = 8192;

const FUNCTIONS: Readonly<Record<string, VoiFunction>> = {
  linear: 'LINEAR',
  'linear-exact': 'LINEAR_EXACT',
  linear_exact: 'LINEAR_EXACT',
  sigmoid: 'SIGMOID',
};

const number = (text: string | undefined): number | undefined => {
  const trimmed = text?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : Number.NaN;
};

function parseWindow(text: string): WindowParameter {
  const [c, w, fn, ...rest] = text.split(',');
  const center = number(c);
  const width = number(w);
  if (center === undefined || width === undefined || Number.isNaN(center) || Number.isNaN(width) || rest.length > 0)
    throw new InvalidRenderParameter('window must be center,width[,function]');
  if (width <= 0) throw new InvalidRenderParameter('window width must be positive');
  const name = fn?.trim().toLowerCase() || 'linear';
  const voi = FUNCTIONS[name];
  if (!voi) throw new InvalidRenderParameter('window function must be linear, linear-exact or sigmoid');
  if (voi === 'LINEAR' && width < 1) throw new InvalidRenderParameter('a linear window needs a width of at least 1');
  return { center, width, fn: voi };
}

function parseViewport(text: string): ViewportParameter {
  const fields = text.split(',').map(number);
  if (fields.length !== 2 && fields.length !== 6) throw new InvalidRenderParameter('viewport must be vw,vh or vw,vh,sx,sy,sw,sh');
  if (fields.some((f) => f !== undefined && (Number.isNaN(f) || !Number.isInteger(f))))
    throw new InvalidRenderParameter('viewport values must be integers');
  const [vw, vh, sx, sy, sw, sh] = fields;
  if (vw === undefined || vh === undefined || vw < 1 || vh < 1 || vw > MAX_VIEWPORT_SIDE || vh > MAX_VIEWPORT_SIDE)
    throw new InvalidRenderParameter(`viewport width and height must be 1 to ${MAX_VIEWPORT_SIDE}`);
  if ((sx !== undefined && sx < 0) || (sy !== undefined && sy < 0))
    throw new InvalidRenderParameter('viewport source offsets must not be negative');
  if (sw === 0 || sh === 0) throw new InvalidRenderParameter('viewport source width and height must not be 0');
  if (fields.length === 2) return { width: vw, height: vh };
  return { width: vw, height: vh, region: { x: sx, y: sy, width: sw, height: sh } };
}

function parseQuality(text: string): number {
  const value = number(text);
  if (value === undefined || Number.isNaN(value) || !Number.isInteger(value) || value < 1 || value > 100)
    throw new InvalidRenderParameter('quality must be an integer from 1 to 100');
  return value;
}

/** Reads the rendering parameters of a query string (names as the standard spells them, lower case). */
export function parseRenderParameters(query: Readonly<Record<string, string | undefined>>): RenderParameters {
  const window = query.window === undefined ? undefined : parseWindow(query.window);
  const viewport = query.viewport === undefined ? undefined : parseViewport(query.viewport);
  const quality = query.quality === undefined ? undefined : parseQuality(query.quality);
  return { window, viewport, quality };
}
