/**
 * Text and byte helpers that run wherever the pure layers run: in Node (Lambda, the CLI, tests)
 * they use Buffer, whose pooled allocation and native text codecs the engine's speed relies on;
 * in a browser (the portal's de-identification worker) they use Uint8Array, TextEncoder and
 * TextDecoder. Both paths give the same bytes and strings (test/unit/common/bytes.test.ts).
 */
export type TextEncodingName = 'utf8' | 'latin1';

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

const utf8Encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF stays in the string, as Buffer#toString keeps it.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The portable implementations, exported so tests can hold them against Buffer's. */
export const portableBytes = {
  decode(bytes: Uint8Array, encoding: TextEncodingName, start = 0, end = bytes.byteLength): string {
    const view = bytes.subarray(start, end);
    if (encoding === 'utf8') return utf8Decoder.decode(view);
    // Not TextDecoder('latin1'): WHATWG maps that label to windows-1252, which differs at 0x80-0x9F.
    let text = '';
    for (let i = 0; i < view.length; i += 8192) text += String.fromCharCode(...view.subarray(i, i + 8192));
    return text;
  },
  encode(text: string, encoding: TextEncodingName): Uint8Array {
    if (encoding === 'utf8') return utf8Encoder.encode(text);
    // As Buffer does: each UTF-16 code unit's low byte.
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
    return out;
  },
  byteLength(text: string, encoding: TextEncodingName): number {
    return encoding === 'utf8' ? utf8Encoder.encode(text).byteLength : text.length;
  },
  alloc(size: number): Uint8Array {
    return new Uint8Array(size);
  },
  concat(chunks: readonly Uint8Array[]): Uint8Array {
    let size = 0;
    for (const chunk of chunks) size += chunk.byteLength;
    const out = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  },
  /** A view of the same bytes that decodes fast: in Node a Buffer, so decodeText skips making one per call. */
  view(bytes: Uint8Array): Uint8Array {
    return bytes;
  },
  hex(bytes: Uint8Array): string {
    let out = '';
    for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
    return out;
  },
  equal(a: Uint8Array, b: Uint8Array): boolean {
    if (a.byteLength !== b.byteLength) return false;
    for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
    return true;
  },
  indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
    const last = haystack.byteLength - needle.byteLength;
    outer: for (let at = Math.max(0, from); at <= last; at++) {
      for (let k = 0; k < needle.byteLength; k++) if (haystack[at + k] !== needle[k]) continue outer;
      return at;
    }
    return -1;
  },
};

const nodeBytes: typeof portableBytes | undefined = NodeBuffer && {
  decode: (bytes, encoding, start = 0, end = bytes.byteLength) =>
    (bytes instanceof NodeBuffer ? bytes : NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString(
      encoding,
      start,
      end,
    ),
  encode: (text, encoding) => NodeBuffer.from(text, encoding),
  byteLength: (text, encoding) => NodeBuffer.byteLength(text, encoding),
  // allocUnsafe's pool makes small allocations cheap; callers overwrite every byte.
  alloc: (size) => NodeBuffer.allocUnsafe(size),
  concat: (chunks) => NodeBuffer.concat(chunks as Uint8Array[]),
  view: (bytes) => (bytes instanceof NodeBuffer ? bytes : NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  hex: (bytes) => NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'),
  // Buffer.compare is native memcmp: the verifier compares whole pixel payloads.
  equal: (a, b) => a.byteLength === b.byteLength && NodeBuffer.compare(a, b) === 0,
  // Native search (memchr-driven); the portable loop above is its reference.
  indexOf: (haystack, needle, from) =>
    (haystack instanceof NodeBuffer ? haystack : NodeBuffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength)).indexOf(
      needle,
      from,
    ),
};

const bytes = nodeBytes ?? portableBytes;

/** The text of `bytes[start, end)` in the encoding (latin1: one character per byte). */
export const decodeText = bytes.decode;
/** The text's bytes (latin1: each code unit's low byte). */
export const encodeText = bytes.encode;
export const byteLengthOf = bytes.byteLength;
/** A buffer of `size` bytes whose contents the caller overwrites (not zeroed in Node). */
export const allocBytes = bytes.alloc;
export const concatBytes = bytes.concat;

/**
 * `chunks` joined into `into`, which must be exactly their total length: memory lent for the join (a kept buffer,
 * its old contents still in it) is then wholly overwritten, and no byte of an earlier use can remain in the result.
 */
export function concatInto(chunks: readonly Uint8Array[], into: Uint8Array): Uint8Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  if (total !== into.byteLength) throw new RangeError(`${total} bytes cannot fill exactly ${into.byteLength}`);
  let at = 0;
  for (const chunk of chunks) {
    into.set(chunk, at);
    at += chunk.byteLength;
  }
  return into;
}
export const toHex = bytes.hex;
/** Whether two byte arrays hold the same bytes. */
export const bytesEqual = bytes.equal;
export const decodingView = bytes.view;
/** Where `needle` (not empty) first occurs in `haystack` at or after `from`, or -1. */
export const indexOfBytes = bytes.indexOf;

/**
 * What a gathered write (`writev`) of `chunks` left unwritten after `written` bytes: the chunks after the
 * last one written whole, the first of them cut where the write stopped. A writev may stop anywhere.
 */
export function unwrittenChunks<T extends Uint8Array>(chunks: readonly T[], written: number): T[] {
  const rest: T[] = [];
  let skip = written;
  for (const chunk of chunks) {
    if (skip >= chunk.byteLength) skip -= chunk.byteLength;
    else {
      rest.push((skip > 0 ? chunk.subarray(skip) : chunk) as T);
      skip = 0;
    }
  }
  return rest;
}
