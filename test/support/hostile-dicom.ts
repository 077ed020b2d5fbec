/**
 * Hostile DICOM inputs shared by the bad-input catalogue and the tests that first
 * found them: raw Explicit VR Little Endian elements appended to a synthetic
 * instance (lengths a writer would never produce), deep sequence nesting, cuts
 * at named places, and the regex-heavy text of deidentify-text-limits.
 */
import { makeDicom } from './synthetic-dicom';

const PRIVATE_GROUP = 0x7fe1;
const LONG_LENGTH_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR']);

/** One Explicit VR Little Endian element; `length` overrides the value's real length. */
export function explicitElement(
  group: number,
  element: number,
  vr: string,
  value: Uint8Array = new Uint8Array(0),
  length = value.byteLength,
): Buffer {
  const long = LONG_LENGTH_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(length >>> 0, 8);
  else head.writeUInt16LE(length, 6);
  return Buffer.concat([head, value]);
}

/** A synthetic instance with a private block (group 7FE1, after the pixel data) holding `elements`. */
export function withTrailingPrivateElements(...elements: Buffer[]): Uint8Array {
  const creator = explicitElement(PRIVATE_GROUP, 0x0010, 'LO', Buffer.from('HOSTILE ', 'latin1'));
  return new Uint8Array(Buffer.concat([makeDicom(), creator, ...elements]));
}

/** A non-SQ element (UT) whose 4-byte length field says `length` bytes follow when a few do. */
export function lyingLengthFile(length: number): Uint8Array {
  return withTrailingPrivateElements(explicitElement(PRIVATE_GROUP, 0x1010, 'UT', Buffer.from('SHORT TEXT', 'latin1'), length));
}

/** Sequences nested `depth` levels deep, each of undefined length with one item of undefined length. */
export function deeplyNestedFile(depth: number): Uint8Array {
  const sq = explicitElement(PRIVATE_GROUP, 0x1011, 'SQ', undefined, 0xffffffff);
  const item = tagWithLength(0xfffe, 0xe000, 0xffffffff);
  const itemEnd = tagWithLength(0xfffe, 0xe00d, 0);
  const sqEnd = tagWithLength(0xfffe, 0xe0dd, 0);
  const open = Buffer.concat([sq, item]);
  const close = Buffer.concat([itemEnd, sqEnd]);
  return withTrailingPrivateElements(Buffer.concat([...Array<Buffer>(depth).fill(open), ...Array<Buffer>(depth).fill(close)]));
}

function tagWithLength(group: number, element: number, length: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt16LE(group, 0);
  out.writeUInt16LE(element, 2);
  out.writeUInt32LE(length >>> 0, 4);
  return out;
}

/** Where an element's value starts in a Part 10 file of Explicit VR Little Endian (first occurrence). */
export function valueOffsetOf(bytes: Uint8Array, group: number, element: number): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = Buffer.alloc(4);
  tag.writeUInt16LE(group, 0);
  tag.writeUInt16LE(element, 2);
  for (let at = buffer.indexOf(tag, 132); at >= 0; at = buffer.indexOf(tag, at + 1)) {
    const vr = buffer.toString('latin1', at + 4, at + 6);
    if (/^[A-Z]{2}$/.test(vr)) return at + (LONG_LENGTH_VRS.has(vr) ? 12 : 8);
  }
  throw new Error(`no (${group.toString(16)},${element.toString(16)}) element`);
}

/**
 * A Part 10 file in Implicit VR Little Endian, where every value has a 4-byte
 * length, so a LO value can be as long as an attacker likes (Explicit VR caps
 * LO at 64 KB). `elements`: tag (8 hex digits) to text, written in tag order.
 */
export function implicitVrFile(elements: Record<string, string>): Uint8Array {
  const even = (text: string, pad: string): Buffer => Buffer.from(text.length % 2 ? text + pad : text, 'latin1');
  const element = (tag: string, value: Buffer, explicitVr?: string): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt16LE(parseInt(tag.slice(0, 4), 16), 0);
    head.writeUInt16LE(parseInt(tag.slice(4), 16), 2);
    if (explicitVr) {
      head.write(explicitVr, 4, 'latin1');
      head.writeUInt16LE(value.length, 6);
    } else head.writeUInt32LE(value.length, 4);
    return Buffer.concat([head, value]);
  };
  const uid = (text: string): Buffer => even(text, '\0');
  const sopClass = elements['00080016'] ?? '';
  const sopInstance = elements['00080018'] ?? '';
  const metaBody = Buffer.concat([
    Buffer.concat([Buffer.from([0x02, 0x00, 0x01, 0x00]), Buffer.from('OB', 'latin1'), Buffer.from([0, 0, 2, 0, 0, 0, 0, 1])]),
    element('00020002', uid(sopClass), 'UI'),
    element('00020003', uid(sopInstance), 'UI'),
    element('00020010', uid('1.2.840.10008.1.2'), 'UI'),
  ]);
  const groupLength = Buffer.alloc(12);
  groupLength.writeUInt16LE(2, 0);
  groupLength.write('UL', 4, 'latin1');
  groupLength.writeUInt16LE(4, 6);
  groupLength.writeUInt32LE(metaBody.length, 8);
  const data = Object.keys(elements)
    .sort()
    .map((tag) => {
      const text = elements[tag] as string;
      return element(tag, tag.startsWith('0020000') || tag.startsWith('0008001') ? uid(text) : even(text, ' '));
    });
  return new Uint8Array(Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), groupLength, metaBody, ...data]));
}

export function syntheticFile(otherPatientIds: readonly string[], studyDescription: string): Uint8Array {
  return implicitVrFile({
    '00080016': '1.2.840.10008.5.1.4.1.1.7',
    '00080018': '1.2.826.0.1.3680043.8.498.7711.9.1',
    '00080060': 'OT',
    '00081030': studyDescription,
    '00100010': 'DOE^JANE',
    '00100020': 'MRN-90210-77',
    '00101000': otherPatientIds.join('\\'),
    '0020000D': '1.2.826.0.1.3680043.8.498.7711.9.2',
    '0020000E': '1.2.826.0.1.3680043.8.498.7711.9.3',
  });
}

/**
 * The reported attack: thousands of OtherPatientIDs and a long StudyDescription
 * of near misses (each ID with one more character), which no ID matches.
 */
export function adversarialFile(ids: number, descriptionChars: number, seed = 0): Uint8Array {
  const values: string[] = [];
  for (let i = 0; i < ids; i += 1) values.push(`MRN${String((i * 7919 + seed) % 1000003).padStart(7, '0')}`);
  const words: string[] = [];
  for (let i = 0, length = 0; length < descriptionChars; i += 1) {
    const word = `MRN${String((i * 104729 + seed) % 1000003).padStart(7, '0')}X`;
    words.push(word);
    length += word.length + 1;
  }
  return syntheticFile(values, words.join(' '));
}
