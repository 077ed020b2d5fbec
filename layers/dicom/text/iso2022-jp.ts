/**
 * ISO 2022 IR 87 (JIS X 0208 kanji and kana, switched in by ESC $ B, back to
 * ASCII by ESC ( B), as Japanese DICOM files carry names and text under
 * Specific Character Set "\ISO 2022 IR 87". Read as Latin-1 the escape
 * sequences and two-byte codes are noise ("山田" is ";3ED"), so a name in its
 * ideographic or phonetic group could not be found in a description. Decoded
 * with the WHATWG iso-2022-jp decoder, as dcmjs does (its encodingMapping maps
 * "iso-2022-ir-87" to it), which Node and browsers both ship.
 *
 * Writing a cleaned value back needs the reverse: the decoder's own table is
 * inverted once (JIS X 0208 is 94 x 94 codes), so what was read is written as
 * it was. A character with no JIS X 0208 code is not written (undefined).
 */

const ESC_KANJI = [0x1b, 0x24, 0x42]; // ESC $ B
const ESC_ASCII = [0x1b, 0x28, 0x42]; // ESC ( B

type Decoder = { decode(bytes: Uint8Array): string };
let decoder: Decoder | undefined;
/** The WHATWG decoder, or undefined where the runtime has none (a Node without full ICU). */
function jisDecoder(): Decoder | undefined {
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder('iso-2022-jp');
    } catch {
      return undefined;
    }
  }
  return decoder;
}

/** Whether a Specific Character Set value names ISO 2022 IR 87 (its values are backslash-separated terms). */
export function namesIso2022Jp(specificCharacterSet: string): boolean {
  return specificCharacterSet.split('\\').some((term) => term.trim().toUpperCase() === 'ISO 2022 IR 87');
}

/** The text of `bytes[start, end)`; U+FFFD marks what could not be decoded (the caller decides what that costs). */
export function decodeIso2022Jp(bytes: Uint8Array, start = 0, end = bytes.byteLength): string {
  const d = jisDecoder();
  if (!d) return '\uFFFD';
  return d.decode(bytes.subarray(start, end));
}

let table: Map<string, number> | undefined;
/** Character -> JIS X 0208 code (lead << 8 | trail), inverted from the decoder. */
function reverseTable(): Map<string, number> {
  if (table) return table;
  table = new Map();
  const d = jisDecoder();
  if (!d) return table;
  const bytes: number[] = [...ESC_KANJI];
  for (let lead = 0x21; lead <= 0x7e; lead += 1) for (let trail = 0x21; trail <= 0x7e; trail += 1) bytes.push(lead, trail);
  bytes.push(...ESC_ASCII);
  const text = d.decode(Uint8Array.from(bytes));
  let i = 0;
  for (let lead = 0x21; lead <= 0x7e; lead += 1) {
    for (let trail = 0x21; trail <= 0x7e; trail += 1) {
      const c = text[i] as string;
      i += 1;
      if (c !== '\uFFFD' && !table.has(c)) table.set(c, (lead << 8) | trail);
    }
  }
  return table;
}

/** The ISO 2022 IR 87 bytes of a text (ASCII as ASCII, the rest JIS X 0208, ending in ASCII), or undefined when a character has no code. */
export function encodeIso2022Jp(text: string): Uint8Array | undefined {
  const codes = reverseTable();
  const out: number[] = [];
  let kanji = false;
  for (const c of text) {
    const cp = c.codePointAt(0) as number;
    if (cp < 0x80 && cp !== 0x1b) {
      if (kanji) out.push(...ESC_ASCII);
      kanji = false;
      out.push(cp);
      continue;
    }
    const code = codes.get(c);
    if (code === undefined) return undefined;
    if (!kanji) out.push(...ESC_KANJI);
    kanji = true;
    out.push(code >> 8, code & 0xff);
  }
  if (kanji) out.push(...ESC_ASCII);
  return Uint8Array.from(out);
}
