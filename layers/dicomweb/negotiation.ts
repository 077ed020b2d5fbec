/**
 * WADO-RS content negotiation (PS3.18 8.7.3-8.7.5): which representation of an
 * instance or of its frames answers an Accept header. Pure: the handler says which
 * transfer syntaxes it can produce, this module picks one or none (406).
 *
 * Accept is a list of media ranges, each with parameters (`type`, `transfer-syntax`)
 * and a quality `q`; ranges are tried from the highest q down (equal q: in the order
 * given), q=0 ranges are refused, and the first range the server can satisfy wins.
 */

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export interface MediaRange {
  /** Lower-cased `type/subtype`, e.g. `multipart/related`. */
  mediaType: string;
  /** Lower-cased parameter names; values unquoted. */
  params: Record<string, string>;
  q: number;
}

/** Splits on a separator outside quoted strings. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && quoted && i + 1 < text.length) {
      current += c + (text[i + 1] as string);
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/\\(.)/g, '$1') : trimmed;
}

/**
 * The media ranges of an Accept header, most preferred first (RFC 9110 12.5.1):
 * q=0 and malformed ranges are dropped; an absent or empty header is `*\/*`.
 */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [{ mediaType: '*/*', params: {}, q: 1 }];
  const ranges: (MediaRange & { order: number })[] = [];
  splitOutsideQuotes(header, ',').forEach((text, order) => {
    const [head, ...rest] = splitOutsideQuotes(text, ';');
    const mediaType = (head ?? '').trim().toLowerCase();
    if (!/^[^\s/]+\/[^\s/]+$/.test(mediaType)) return;
    const params: Record<string, string> = {};
    let q = 1;
    for (const param of rest) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const name = param.slice(0, eq).trim().toLowerCase();
      const value = unquote(param.slice(eq + 1));
      if (name === 'q') {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
      } else params[name] = value;
    }
    if (q > 0) ranges.push({ mediaType, params, q, order });
  });
  return ranges.sort((a, b) => b.q - a.q || a.order - b.order).map(({ mediaType, params, q }) => ({ mediaType, params, q }));
}

/** The type a multipart range asks its parts to be (`type` parameter), lower-cased; undefined when not multipart/related or unnamed. */
function partTypeOf(range: MediaRange): string | undefined {
  return range.params.type?.toLowerCase();
}

/** Ranges that leave every representation to the server: `*\/*`, `multipart/*`, `multipart/related` without a part type. */
function isAnyRange(range: MediaRange): boolean {
  return range.mediaType === '*/*' || range.mediaType === 'multipart/*' || (range.mediaType === 'multipart/related' && !partTypeOf(range));
}

/**
 * For each stored transfer syntax, the one to answer in (study, series or instance
 * retrieve as `multipart/related; type="application/dicom"`), or undefined when no
 * range of the Accept header can be met for every instance (406).
 *
 * - `*\/*`, `multipart/*`, a `multipart/related` without part type, and
 *   `transfer-syntax=*`: each instance as stored;
 * - the stored syntax named: as stored;
 * - Explicit VR Little Endian named, or `application/dicom` without a transfer-syntax
 *   (its default, PS3.18 8.7.3.5.2): as stored when stored so, else transcoded when
 *   `canTranscode` says the stored syntax can be decoded;
 * - any other syntax: not produced (hilum does not re-compress).
 */
export function negotiateDicom(
  accept: string | undefined,
  storedSyntaxes: readonly string[],
  canTranscode: (storedSyntax: string) => boolean,
): string[] | undefined {
  for (const range of parseAccept(accept)) {
    let wanted: string | undefined;
    if (isAnyRange(range)) wanted = '*';
    else if (range.mediaType === 'multipart/related' && partTypeOf(range) === 'application/dicom')
      wanted = range.params['transfer-syntax'] ?? EXPLICIT_VR_LITTLE_ENDIAN;
    else continue;
    const answer = storedSyntaxes.map((stored) => {
      if (wanted === '*' || wanted === stored) return stored;
      if (wanted === EXPLICIT_VR_LITTLE_ENDIAN && canTranscode(stored)) return EXPLICIT_VR_LITTLE_ENDIAN;
      return undefined;
    });
    if (answer.every((syntax): syntax is string => syntax !== undefined)) return answer;
  }
  return undefined;
}

/** The media types of compressed frames (PS3.18 Table 8.7.3-5); dicomweb-client's older names too. */
const FRAME_MEDIA_TYPE: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.5': 'image/dicom-rle',
  '1.2.840.10008.1.2.4.50': 'image/jpeg',
  '1.2.840.10008.1.2.4.51': 'image/jpeg',
  '1.2.840.10008.1.2.4.57': 'image/jpeg',
  '1.2.840.10008.1.2.4.70': 'image/jpeg',
  '1.2.840.10008.1.2.4.80': 'image/jls',
  '1.2.840.10008.1.2.4.81': 'image/jls',
  '1.2.840.10008.1.2.4.90': 'image/jp2',
  '1.2.840.10008.1.2.4.91': 'image/jp2',
  '1.2.840.10008.1.2.4.92': 'image/jpx',
  '1.2.840.10008.1.2.4.93': 'image/jpx',
  '1.2.840.10008.1.2.4.201': 'image/jphc',
  '1.2.840.10008.1.2.4.202': 'image/jphc',
  '1.2.840.10008.1.2.4.203': 'image/jphc',
};
const MEDIA_TYPE_ALIASES: Readonly<Record<string, string>> = {
  'image/x-dicom-rle': 'image/dicom-rle',
  'image/x-jls': 'image/jls',
  'image/jhc': 'image/jphc',
};

/** Native (uncompressed) transfer syntaxes: their frames are plain pixel bytes. */
const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2']);

/** The media type of a stored syntax's frames: `application/octet-stream` for native data. */
export function frameMediaTypeOf(transferSyntaxUid: string): string | undefined {
  return NATIVE.has(transferSyntaxUid) ? 'application/octet-stream' : FRAME_MEDIA_TYPE[transferSyntaxUid];
}

export interface FrameRepresentation {
  /** `native`: uncompressed little-endian pixel bytes (decoded when stored compressed); `stored`: the frames as stored. */
  form: 'native' | 'stored';
  /** The multipart `type` and each part's media type. */
  mediaType: string;
  /** The transfer syntax each part is in (its `transfer-syntax` parameter). */
  transferSyntaxUid: string;
}

/**
 * How to answer frames or Pixel Data bulk data (PS3.18 8.7.3.5.3, 8.7.4), or undefined (406):
 *
 * - `*\/*`, `multipart/*`, a `multipart/related` without part type, or `image/*` (when stored
 *   compressed): as stored, in the stored syntax's media type; `application/octet-stream` with
 *   `transfer-syntax=*`: as stored, the parts `application/octet-stream; transfer-syntax=<stored>`;
 * - `application/octet-stream` without transfer-syntax or with Explicit VR Little Endian:
 *   native bytes, decoded when stored compressed and `canDecode` says the syntax decodes;
 * - a compressed media type (`image/jpeg`, `image/jls`, `image/jp2`, `image/jpx`, `image/jphc`,
 *   `image/dicom-rle`): as stored when the stored syntax has that media type and the
 *   transfer-syntax, if named, is the stored one (hilum does not re-compress).
 */
export function negotiateFrames(
  accept: string | undefined,
  storedSyntax: string,
  canDecode: (storedSyntax: string) => boolean,
): FrameRepresentation | undefined {
  const storedType = frameMediaTypeOf(storedSyntax);
  const native = NATIVE.has(storedSyntax);
  const asStored = (): FrameRepresentation | undefined =>
    storedType ? { form: 'stored', mediaType: storedType, transferSyntaxUid: storedSyntax } : undefined;
  const asNative = (): FrameRepresentation | undefined =>
    native || canDecode(storedSyntax)
      ? { form: 'native', mediaType: 'application/octet-stream', transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN }
      : undefined;
  for (const range of parseAccept(accept)) {
    let answer: FrameRepresentation | undefined;
    const partType = range.mediaType === 'multipart/related' ? partTypeOf(range) : undefined;
    const requested = partType ? (MEDIA_TYPE_ALIASES[partType] ?? partType) : undefined;
    const syntax = range.params['transfer-syntax'];
    if (isAnyRange(range)) answer = native ? asNative() : asStored();
    else if (!requested) answer = undefined;
    else if (requested === 'application/octet-stream') {
      // OHIF asks so: the parts stay application/octet-stream, their transfer-syntax parameter says how to decode them.
      if (syntax === '*')
        answer = native ? asNative() : { form: 'stored', mediaType: 'application/octet-stream', transferSyntaxUid: storedSyntax };
      else if (syntax === undefined || syntax === EXPLICIT_VR_LITTLE_ENDIAN) answer = asNative();
      else if (syntax === storedSyntax && !native)
        answer = { form: 'stored', mediaType: 'application/octet-stream', transferSyntaxUid: storedSyntax };
    } else if (requested === 'image/*') {
      if (!native && (syntax === undefined || syntax === '*' || syntax === storedSyntax)) answer = asStored();
    } else if (requested === storedType && !native && (syntax === undefined || syntax === '*' || syntax === storedSyntax)) {
      answer = asStored();
    }
    if (answer) return answer;
  }
  return undefined;
}

/**
 * Frame numbers of a `/frames/{list}` path (PS3.18 8.3.5.1: comma-separated, 1-based),
 * or a value-free reason they are malformed.
 */
export function parseFrameList(text: string): number[] | { error: string } {
  const items = text.split(',').map((s) => s.trim());
  const numbers: number[] = [];
  for (const item of items) {
    if (!/^[1-9]\d{0,8}$/.test(item)) return { error: 'frame numbers are comma-separated positive integers' };
    numbers.push(Number(item));
  }
  return numbers;
}
