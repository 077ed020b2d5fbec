/**
 * The fuzz suite's mutator: pure functions from a seed file and a seeded random
 * source to one mutated file. Structural mutations (tag swaps, VR swaps, length
 * corruption, sequence nesting, element-sized chunks) work on the seed's element
 * layout as the scanner reads it; the others on raw bytes. The same (seed, kind,
 * random) always gives the same bytes, so a finding replays from its numbers.
 */
import { deflateRawSync, deflateSync } from 'node:zlib';
import { scanPart10, TRANSFER_SYNTAX, type ScannedElement } from '../../../layers/dicom/part10';

export const MUTATION_KINDS = [
  'byte-flip',
  'truncation',
  'length-corruption',
  'tag-swap',
  'vr-swap',
  'sequence-nesting',
  'chunk-insertion',
  'chunk-deletion',
  'deflate-stream',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

export interface Seed {
  name: string;
  bytes: Uint8Array;
  elements: ScannedElement[];
  little: boolean;
  explicit: boolean;
  /** Offset of the first data set byte (after the File Meta). */
  metaEnd: number;
  meta: ScannedElement[];
  /** Explicit VR Little Endian and not deflated: the deflate-stream kind re-encodes it. */
  deflatable: boolean;
}

export type Random = () => number;

/** Attributes that identify a person or site: a tag swap or nesting picks one of them as its first element most of the time. */
export const IDENTIFYING_TAGS: readonly number[] = [
  0x00100010, 0x00100020, 0x00101000, 0x00101001, 0x00101005, 0x00101060, 0x00100021, 0x00100030, 0x00101040, 0x00102154, 0x00080050,
  0x00200010, 0x00080090, 0x00081050, 0x00081060, 0x00081048, 0x00081070, 0x00321032, 0x00080080, 0x00080081, 0x00081040, 0x00081010,
  0x00080020,
];

/** Kept public attributes of many VRs: where a moved value would hide if its new tag's VR were taken on trust. */
export const KEPT_TAGS_BY_VR: readonly number[] = [
  0x00080060,
  0x00080008,
  0x00100040,
  0x00180015,
  0x00280004, // CS
  0x00180050,
  0x00280030,
  0x00180060,
  0x00281050,
  0x00200037,
  0x00101030,
  0x00101020,
  0x00281052, // DS
  0x00200013,
  0x00200011, // IS
  0x00080016, // UI
  0x00101010, // AS
  0x00080030,
  0x00080032, // TM
  0x00080023, // DA
  0x00280010,
  0x00280100,
  0x00280106, // US (or SS)
  0x00080070,
  0x00081090,
  0x00181030,
  0x00081030,
  0x0008103e,
  0x00181210, // LO, SH
];

const SEQUENCE_TAGS: readonly number[] = [0x00082218, 0x00081140, 0x00400275, 0x00081115, 0x0040a730, 0x00091010, 0x00540016];
const SHORT_VRS = [
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FL',
  'FD',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'SL',
  'SS',
  'ST',
  'TM',
  'UI',
  'UL',
  'US',
];
const LONG_VRS = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UR', 'UT', 'UN', 'SV', 'UV'];
const INTERESTING_LENGTHS = [0, 1, 2, 3, 4, 0xff, 0x100, 0xfffe, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** A seed from a readable file (the scanner gives its element layout). */
export function seedOf(name: string, bytes: Uint8Array): Seed {
  const file = scanPart10(bytes);
  if (file.dataSet !== file.bytes) throw new Error(`${name}: a deflated seed cannot be mutated structurally`);
  const metaEnd = file.meta.length ? Math.max(...file.meta.map((e) => e.valueEnd)) : 0;
  const explicit = file.transferSyntaxUid !== TRANSFER_SYNTAX.implicitLittle;
  return {
    name,
    bytes,
    elements: file.elements,
    little: file.littleEndian,
    explicit,
    metaEnd,
    meta: file.meta,
    deflatable: explicit && file.littleEndian,
  };
}

function int(random: Random, n: number): number {
  return Math.floor(random() * n);
}

function pick<T>(random: Random, list: readonly T[]): T {
  return list[int(random, list.length)] as T;
}

function u16(value: number, little: boolean): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value & 0xffff, little);
  return out;
}

function u32(value: number, little: boolean): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, little);
  return out;
}

function tagBytes(tag: number, little: boolean): Uint8Array {
  return concat([u16(tag >>> 16, little), u16(tag & 0xffff, little)]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function splice(bytes: Uint8Array, start: number, deleteCount: number, insert: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat([bytes.subarray(0, start), insert, bytes.subarray(start + deleteCount)]);
}

/** Elements a structural mutation may touch (not Pixel Data's value, which is only bytes). */
function elementFrom(seed: Seed, random: Random, preferIdentifying: number): ScannedElement | undefined {
  if (seed.elements.length === 0) return undefined;
  if (random() < preferIdentifying) {
    const identifying = seed.elements.filter((e) => IDENTIFYING_TAGS.includes(e.tag) || e.vr === 'PN');
    if (identifying.length) return pick(random, identifying);
  }
  return pick(random, seed.elements);
}

function byteFlip(seed: Seed, random: Random): Uint8Array {
  const out = new Uint8Array(seed.bytes);
  const flips = 1 + int(random, 8);
  for (let i = 0; i < flips; i += 1) {
    const el = random() < 0.8 ? elementFrom(seed, random, 0.3) : undefined;
    const at = el ? el.headerStart + int(random, Math.min(64, Math.max(1, el.valueEnd - el.headerStart))) : int(random, out.length);
    if (at < out.length) out[at] = (out[at] as number) ^ (1 + int(random, 255));
  }
  return out;
}

function truncation(seed: Seed, random: Random): Uint8Array {
  const el = random() < 0.5 ? elementFrom(seed, random, 0.3) : undefined;
  const at = el ? Math.min(seed.bytes.length, el.headerStart + int(random, 16)) : int(random, seed.bytes.length);
  return seed.bytes.slice(0, at);
}

/** Where an element's length field is: 4 bytes after the tag (implicit), 2 after the VR (explicit short), 4 after VR and reserved (explicit long). */
function lengthField(seed: Seed, el: ScannedElement): { at: number; size: 2 | 4 } {
  const header = el.valueStart - el.headerStart;
  if (header === 12) return { at: el.headerStart + 8, size: 4 };
  return seed.explicit ? { at: el.headerStart + 6, size: 2 } : { at: el.headerStart + 4, size: 4 };
}

function lengthCorruption(seed: Seed, random: Random): Uint8Array {
  const el = elementFrom(seed, random, 0.3);
  if (!el || el.undefinedLength) return byteFlip(seed, random);
  const { at, size } = lengthField(seed, el);
  const current = el.valueEnd - el.valueStart;
  const value =
    random() < 0.5
      ? current + pick(random, [-2, -1, 1, 2, 3, 8, 100, -8])
      : random() < 0.7
        ? pick(random, INTERESTING_LENGTHS)
        : int(random, 0x100000000);
  const field = size === 2 ? u16(value, seed.little) : u32(value, seed.little);
  const out = new Uint8Array(seed.bytes);
  out.set(field, at);
  return out;
}

function retag(out: Uint8Array, el: ScannedElement, tag: number, little: boolean): void {
  out.set(tagBytes(tag, little), el.headerStart);
}

function tagSwap(seed: Seed, random: Random): Uint8Array {
  const a = elementFrom(seed, random, 0.7);
  if (!a) return byteFlip(seed, random);
  const out = new Uint8Array(seed.bytes);
  if (random() < 0.3) {
    // Onto a tag the file may not hold: a kept attribute of another VR.
    retag(out, a, pick(random, KEPT_TAGS_BY_VR), seed.little);
    return out;
  }
  const sameLevel = seed.elements.filter((e) => e.parent === a.parent && e.tag !== a.tag);
  const b = sameLevel.length && random() < 0.8 ? pick(random, sameLevel) : pick(random, seed.elements);
  retag(out, a, b.tag, seed.little);
  retag(out, b, a.tag, seed.little);
  return out;
}

/** Explicit VR: another VR of the same header size (or any, 20%); Implicit VR has none on the wire, so the value moves under a tag of another dictionary VR. */
function vrSwap(seed: Seed, random: Random): Uint8Array {
  const el = elementFrom(seed, random, 0.6);
  if (!el) return byteFlip(seed, random);
  const out = new Uint8Array(seed.bytes);
  if (!seed.explicit) {
    retag(out, el, pick(random, KEPT_TAGS_BY_VR), seed.little);
    return out;
  }
  const long = el.valueStart - el.headerStart === 12;
  const vr = random() < 0.2 ? pick(random, [...SHORT_VRS, ...LONG_VRS]) : pick(random, long ? LONG_VRS : SHORT_VRS);
  out.set(Buffer.from(vr, 'latin1'), el.headerStart + 4);
  if (random() < 0.3) retag(out, el, pick(random, KEPT_TAGS_BY_VR), seed.little);
  return out;
}

function sequenceHeader(seed: Seed, tag: number, length: number): Uint8Array {
  return seed.explicit
    ? concat([tagBytes(tag, seed.little), Buffer.from('SQ'), new Uint8Array(2), u32(length, seed.little)])
    : concat([tagBytes(tag, seed.little), u32(length, seed.little)]);
}

/** `content` as the only element of one item of a new sequence, `levels` deep; undefined or defined lengths. */
export function nest(seed: Seed, content: Uint8Array, levels: number, random: Random): Uint8Array {
  let inner = content;
  for (let i = 0; i < levels; i += 1) {
    const tag = pick(random, SEQUENCE_TAGS);
    if (random() < 0.5) {
      const item = concat([
        tagBytes(0xfffee000, seed.little),
        u32(0xffffffff, seed.little),
        inner,
        tagBytes(0xfffee00d, seed.little),
        u32(0, seed.little),
      ]);
      inner = concat([sequenceHeader(seed, tag, 0xffffffff), item, tagBytes(0xfffee0dd, seed.little), u32(0, seed.little)]);
    } else {
      const item = concat([tagBytes(0xfffee000, seed.little), u32(inner.length, seed.little), inner]);
      inner = concat([sequenceHeader(seed, tag, item.length), item]);
    }
  }
  return inner;
}

function sequenceNesting(seed: Seed, random: Random): Uint8Array {
  const el = elementFrom(seed, random, 0.6);
  if (!el) return byteFlip(seed, random);
  const bytes = seed.bytes.subarray(el.headerStart, el.valueEnd);
  const levels = random() < 0.05 ? 50 + int(random, 250) : 1 + int(random, 3);
  const nested = nest(seed, bytes, levels, random);
  // Moved into the sequence, or a nested copy beside the original.
  return random() < 0.5
    ? splice(seed.bytes, el.headerStart, el.valueEnd - el.headerStart, nested)
    : splice(seed.bytes, el.valueEnd, 0, nested);
}

function chunkInsertion(seed: Seed, random: Random): Uint8Array {
  const el = random() < 0.7 ? elementFrom(seed, random, 0.2) : undefined;
  const at = el ? (random() < 0.5 ? el.headerStart : el.valueEnd) : int(random, seed.bytes.length + 1);
  let chunk: Uint8Array;
  if (random() < 0.5) {
    chunk = new Uint8Array(1 + int(random, 64)).map(() => int(random, 256));
  } else {
    const source = elementFrom(seed, random, 0.5);
    chunk = source ? seed.bytes.slice(source.headerStart, Math.min(source.valueEnd, source.headerStart + 4096)) : new Uint8Array([0]);
  }
  return splice(seed.bytes, Math.min(at, seed.bytes.length), 0, chunk);
}

function chunkDeletion(seed: Seed, random: Random): Uint8Array {
  const el = random() < 0.7 ? elementFrom(seed, random, 0.2) : undefined;
  if (el) return splice(seed.bytes, el.headerStart, el.valueEnd - el.headerStart);
  const at = int(random, seed.bytes.length);
  return splice(seed.bytes, at, 1 + int(random, 256));
}

/** The File Meta again with another Transfer Syntax UID and a group length to match. */
export function withTransferSyntax(seed: Seed, uid: string): Uint8Array {
  const value = Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
  const ts = concat([tagBytes(0x00020010, true), Buffer.from('UI'), u16(value.length, true), value]);
  const rest = seed.meta.filter((e) => e.tag !== 0x00020000 && e.tag !== 0x00020010);
  const before = rest.filter((e) => e.tag < 0x00020010).map((e) => seed.bytes.subarray(e.headerStart, e.valueEnd));
  const after = rest.filter((e) => e.tag > 0x00020010).map((e) => seed.bytes.subarray(e.headerStart, e.valueEnd));
  const body = concat([...before, ts, ...after]);
  const groupLength = concat([tagBytes(0x00020000, true), Buffer.from('UL'), u16(4, true), u32(body.length, true)]);
  return concat([seed.bytes.subarray(0, 128), Buffer.from('DICM'), groupLength, body]);
}

let bomb: Uint8Array | undefined;

function deflateStream(seed: Seed, random: Random): Uint8Array {
  if (!seed.deflatable) throw new Error(`${seed.name}: not Explicit VR Little Endian`);
  const meta = withTransferSyntax(seed, TRANSFER_SYNTAX.deflatedExplicitLittle);
  const roll = random();
  if (roll < 0.1) {
    // A decompression bomb: 64 MB of zeros in a few kilobytes.
    bomb ??= new Uint8Array(deflateRawSync(Buffer.alloc(64 * 1024 * 1024)));
    return concat([meta, bomb]);
  }
  const structural = MUTATION_KINDS.filter((k) => k !== 'deflate-stream');
  const inner = roll < 0.6 ? mutate(seed, pick(random, structural), random) : seed.bytes;
  const dataSet = inner.subarray(Math.min(seed.metaEnd, inner.length));
  let stream: Uint8Array = random() < 0.1 ? new Uint8Array(deflateSync(dataSet)) : new Uint8Array(deflateRawSync(dataSet));
  if (roll >= 0.6) {
    // The compressed stream itself: flipped, cut or followed by junk.
    const what = random();
    if (what < 0.4) {
      stream = new Uint8Array(stream);
      for (let i = 0; i < 1 + int(random, 4); i += 1) {
        const at = int(random, stream.length);
        stream[at] = (stream[at] as number) ^ (1 + int(random, 255));
      }
    } else if (what < 0.8) {
      stream = stream.slice(0, int(random, stream.length));
    } else {
      stream = concat([stream, new Uint8Array(1 + int(random, 64)).map(() => int(random, 256))]);
    }
  }
  return concat([meta, stream]);
}

/** One mutant of `seed` by `kind`. */
export function mutate(seed: Seed, kind: MutationKind, random: Random): Uint8Array {
  switch (kind) {
    case 'byte-flip':
      return byteFlip(seed, random);
    case 'truncation':
      return truncation(seed, random);
    case 'length-corruption':
      return lengthCorruption(seed, random);
    case 'tag-swap':
      return tagSwap(seed, random);
    case 'vr-swap':
      return vrSwap(seed, random);
    case 'sequence-nesting':
      return sequenceNesting(seed, random);
    case 'chunk-insertion':
      return chunkInsertion(seed, random);
    case 'chunk-deletion':
      return chunkDeletion(seed, random);
    case 'deflate-stream':
      return deflateStream(seed, random);
  }
}
