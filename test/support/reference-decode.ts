/**
 * Reference decodes for the pixel tests: dcmtk (dcmconv, dcmdrle, dcmdjpeg, dcmdjpls)
 * and gdcm (gdcmconv --raw) write an uncompressed copy, and its Pixel Data is what
 * hilum's decoders must reproduce. Also makes compressed fixtures from native ones
 * (dcmcrle, dcmcjpeg, dcmcjpls, gdcmconv) so every syntax is tested without
 * committing more files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSet, DicomElement } from '../../layers/dicom/dcmjs';
import { scanPart10 } from '../../layers/dicom/part10';
import { storedFrames } from '../../layers/dicom/pixels';
import { makeDicom, type SyntheticDicomOptions } from './synthetic-dicom';

/** Runs `tool [...args] in out` on the bytes in a scratch directory and returns the output file. */
export function runTool(tool: string, args: string[], input: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'hilum-pixels-'));
  try {
    const inPath = join(dir, 'in.dcm');
    const outPath = join(dir, 'out.dcm');
    writeFileSync(inPath, input);
    execFileSync(tool, [...args, inPath, outPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    return new Uint8Array(readFileSync(outPath));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a tool that edits its file in place (dcmodify) on a copy of the bytes and returns the edited copy. */
export function editInPlace(tool: string, args: string[], input: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'hilum-pixels-'));
  try {
    const path = join(dir, 'f.dcm');
    writeFileSync(path, input);
    execFileSync(tool, [...args, path], { stdio: ['ignore', 'ignore', 'pipe'] });
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function toolExists(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** dcmdump's text of a file (group 0002 and Pixel Data left out when `headerOnly`), to compare what two files say. */
export function dump(bytes: Uint8Array, headerOnly = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'hilum-dump-'));
  try {
    const path = join(dir, 'f.dcm');
    writeFileSync(path, bytes);
    const text = execFileSync('dcmdump', ['-q', '+L', '-M', path], { encoding: 'utf8' });
    return headerOnly
      ? text
          .split('\n')
          .filter((l) => !/^\s*\((0002|7fe0),/.test(l) && !l.startsWith('#'))
          .join('\n')
      : text;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(join(__dirname, '../fixtures/dicom', path)));

export interface SyntheticImage {
  rows?: number;
  columns?: number;
  frames?: number;
  samplesPerPixel?: 1 | 3;
  bitsAllocated?: 1 | 8 | 16;
  /** Pixel Data as given instead of the generated ramps (e.g. bit-packed 1-bit frames). */
  pixelData?: Uint8Array;
  /** Identity of the instance (UIDs, instance number, modality), as makeDicom takes it. */
  instance?: Omit<SyntheticDicomOptions, 'elements' | 'privateBlock'>;
  bitsStored?: number;
  pixelRepresentation?: 0 | 1;
  planarConfiguration?: 0 | 1;
  photometricInterpretation?: string;
}

/**
 * A native Explicit VR Little Endian image with the given layout: smooth ramps plus a little
 * deterministic texture in every sample and frame (so lossless codecs have work and frames differ).
 */
export function syntheticImage(options: SyntheticImage = {}): Uint8Array {
  const rows = options.rows ?? 24;
  const columns = options.columns ?? 20;
  const frames = options.frames ?? 1;
  const spp = options.samplesPerPixel ?? 1;
  const bitsAllocated = options.bitsAllocated ?? 8;
  const bitsStored = options.bitsStored ?? bitsAllocated;
  const signed = options.pixelRepresentation === 1;
  const width = Math.max(1, bitsAllocated / 8);
  const max = 2 ** bitsStored;
  const count = rows * columns * spp * frames;
  const out = new Uint8Array(count * width);
  const view = new DataView(out.buffer);
  for (let f = 0; f < frames; f++)
    for (let s = 0; s < spp; s++)
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < columns; c++) {
          const ramp = ((r * 7 + c * 5 + s * 40 + f * 23) / (rows * 7 + columns * 5 + 120)) * (max - 1);
          let value = Math.floor(ramp + ((r * 31 + c * 17 + s * 3 + f) % 9)) % max;
          if (signed) value -= max / 2;
          const sample = options.planarConfiguration === 1 ? (s * rows + r) * columns + c : (r * columns + c) * spp + s;
          const at = (f * rows * columns * spp + sample) * width;
          if (width === 1) view.setUint8(at, value & 0xff);
          else view.setUint16(at, value & 0xffff, true);
        }
  const us = (value: number): DicomElement => ({ vr: 'US', Value: [value] });
  const elements: DataSet = {
    '00280002': us(spp),
    '00280004': { vr: 'CS', Value: [options.photometricInterpretation ?? (spp === 3 ? 'RGB' : 'MONOCHROME2')] },
    '00280010': us(rows),
    '00280011': us(columns),
    '00280100': us(bitsAllocated),
    '00280101': us(bitsStored),
    '00280102': us(bitsStored - 1),
    '00280103': us(signed ? 1 : 0),
    '7FE00010': { vr: bitsAllocated > 8 ? 'OW' : 'OB', Value: [options.pixelData ? options.pixelData.slice().buffer : out.buffer] },
  };
  if (spp > 1) elements['00280006'] = us(options.planarConfiguration ?? 0);
  if (frames > 1) elements['00280008'] = { vr: 'IS', Value: [frames] };
  return makeDicom({ modality: 'OT', ...options.instance, privateBlock: false, elements });
}

export interface Encapsulation {
  /** Fill the Basic Offset Table (default: empty). */
  basicOffsetTable?: boolean;
  /** Add an Extended Offset Table and its lengths (one fragment per frame). */
  extendedOffsetTable?: boolean;
  /** Split each frame into fragments of at most this many bytes (even; default: one fragment a frame). */
  fragmentBytes?: number;
}

/**
 * The native instance with its Pixel Data replaced by the given encoded frames under
 * `transferSyntaxUid`: written here, byte by byte, so tests control the offset tables and
 * fragmentation that a toolkit would choose for them.
 */
export function encapsulate(native: Uint8Array, transferSyntaxUid: string, frames: Uint8Array[], options: Encapsulation = {}): Uint8Array {
  const file = scanPart10(native);
  const pixel = file.elements.find((e) => e.depth === 0 && e.tag === 0x7fe00010);
  if (!pixel || file.transferSyntaxUid !== '1.2.840.10008.1.2.1')
    throw new Error('encapsulate: needs a native Explicit VR Little Endian instance');
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const element = (group: number, elem: number, vr: string, value: Buffer): Buffer => {
    const head = Buffer.alloc(12);
    head.writeUInt16LE(group, 0);
    head.writeUInt16LE(elem, 2);
    head.write(vr, 4, 'latin1');
    head.writeUInt32LE(value.byteLength, 8);
    return Buffer.concat([head, value]);
  };
  const item = (value: Uint8Array): Buffer => Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0]), u32(value.byteLength), value]);
  const even = (bytes: Uint8Array): Buffer => (bytes.byteLength % 2 ? Buffer.concat([bytes, Buffer.alloc(1)]) : Buffer.from(bytes));

  const frameItems = frames.map((frame) => {
    const padded = even(frame);
    const size = options.fragmentBytes ?? padded.byteLength;
    const parts: Buffer[] = [];
    for (let at = 0; at < padded.byteLength; at += size) parts.push(item(padded.subarray(at, at + size)));
    return Buffer.concat(parts);
  });
  const offsets: number[] = [];
  frameItems.reduce((at, f) => (offsets.push(at), at + f.byteLength), 0);
  const table = options.basicOffsetTable ? Buffer.concat(offsets.map(u32)) : Buffer.alloc(0);
  const u64s = (values: number[]): Buffer => {
    const b = Buffer.alloc(values.length * 8);
    values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), i * 8));
    return b;
  };
  const extended = options.extendedOffsetTable
    ? Buffer.concat([
        element(0x7fe0, 0x0001, 'OV', u64s(offsets)),
        element(0x7fe0, 0x0002, 'OV', u64s(frames.map((f) => even(f).byteLength))),
      ])
    : Buffer.alloc(0);
  const pixelData = Buffer.concat([
    Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]),
    item(table),
    ...frameItems,
    Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
  ]);

  const meta = file.meta
    .filter((e) => e.tag !== 0x00020000)
    .map((e) =>
      e.tag === 0x00020010
        ? element2(0x0002, 0x0010, 'UI', Buffer.from(even(Buffer.from(transferSyntaxUid))))
        : Buffer.from(native.subarray(e.headerStart, e.valueEnd)),
    );
  const metaBody = Buffer.concat(meta);
  const metaEnd = Math.max(...file.meta.map((e) => e.valueEnd));
  return Buffer.concat([
    native.subarray(0, 132),
    element2(0x0002, 0x0000, 'UL', u32(metaBody.byteLength)),
    metaBody,
    native.subarray(metaEnd, pixel.headerStart),
    extended,
    pixelData,
    native.subarray(pixel.valueEnd),
  ]);
}

/** A short-form explicit VR element (2-byte length). */
function element2(group: number, elem: number, vr: string, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elem, 2);
  head.write(vr, 4, 'latin1');
  head.writeUInt16LE(value.byteLength, 6);
  return Buffer.concat([head, value]);
}

interface HtEncoder {
  getDecodedBuffer(info: object): Uint8Array;
  setQuality(lossless: boolean, quantizationStep: number): void;
  setProgressionOrder(order: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

/**
 * HTJ2K frames of a native instance, encoded by OpenJPH's encoder (no dcmtk or gdcm here
 * writes HTJ2K). The reference decode is then gdcm on a copy labelled JPEG 2000: gdcm hands
 * the codestream to the system's OpenJPEG 2.5, whose HT block decoder is independent of OpenJPH's.
 */
export async function htj2kFrames(native: Uint8Array, options: { lossless: boolean; rpcl?: boolean }): Promise<Uint8Array[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require('@cornerstonejs/codec-openjph') as (o: object) => Promise<{ HTJ2KEncoder: new () => HtEncoder }>;
  const codec = await factory({ print: () => undefined, printErr: () => undefined });
  const { frames, pixel } = storedFrames(native);
  return frames.map((frame) => {
    const encoder = new codec.HTJ2KEncoder();
    try {
      encoder
        .getDecodedBuffer({
          width: pixel.columns,
          height: pixel.rows,
          bitsPerSample: pixel.bitsStored,
          componentCount: pixel.samplesPerPixel,
          isSigned: pixel.pixelRepresentation === 1,
          isUsingColorTransform: pixel.samplesPerPixel === 3,
        })
        .set(frame);
      encoder.setQuality(options.lossless, options.lossless ? 0 : 0.02);
      if (options.rpcl) encoder.setProgressionOrder(2);
      encoder.encode();
      return encoder.getEncodedBuffer().slice();
    } finally {
      encoder.delete();
    }
  });
}
