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
import { makeDicom } from './synthetic-dicom';

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
  return makeDicom({ modality: 'OT', privateBlock: false, elements });
}
