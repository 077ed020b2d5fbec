/**
 * Decoding of the few element values the domain reads straight from scanned
 * bytes (summary fields, verifier comparisons). Everything else goes through dcmjs.
 */
import type { ScannedElement, ScannedFile } from './part10';
import { TAG, type TagKey } from './tags';
import { trimEndOf } from './text/trim';
import { decodeText, decodingView } from '../common/bytes';

const TOP_LEVELS = new WeakMap<ScannedFile, ReadonlyMap<TagKey, ScannedElement>>();

/**
 * First occurrence of each tag in the top-level data set. Built once per
 * scanned file (the summary, the charset and the de-identifier all ask).
 */
export function topLevel(file: ScannedFile): ReadonlyMap<TagKey, ScannedElement> {
  let map = TOP_LEVELS.get(file);
  if (!map) {
    const built = new Map<TagKey, ScannedElement>();
    for (const e of file.elements) if (e.depth === 0 && !built.has(e.key)) built.set(e.key, e);
    map = built;
    TOP_LEVELS.set(file, map);
  }
  return map;
}

export function rawValue(file: ScannedFile, element: ScannedElement): Uint8Array {
  return file.dataSet.subarray(element.valueStart, element.valueEnd);
}

/** Text charset of the data set: UTF-8 for ISO_IR 192, Latin-1 otherwise (good enough for the ASCII-range checks done here). */
export function textEncoding(file: ScannedFile): 'utf8' | 'latin1' {
  const cs = topLevel(file).get(TAG.SpecificCharacterSet);
  return cs && readAscii(file, cs).includes('ISO_IR 192') ? 'utf8' : 'latin1';
}

const DATA_SET_BUFFERS = new WeakMap<ScannedFile, Uint8Array>();

/** The data set as a decoding view (in Node a Buffer, made once per file), for decoding values without a view per value. */
function dataSetBuffer(file: ScannedFile): Uint8Array {
  let buffer = DATA_SET_BUFFERS.get(file);
  if (!buffer) {
    buffer = decodingView(file.dataSet);
    DATA_SET_BUFFERS.set(file, buffer);
  }
  return buffer;
}

/** A string value with its trailing padding removed (multi-valued strings keep their backslashes). */
export function readText(file: ScannedFile, element: ScannedElement, encoding: 'utf8' | 'latin1' = 'latin1'): string {
  return trimEndOf(decodeText(dataSetBuffer(file), encoding, element.valueStart, element.valueEnd), ' \0').replace(/^ +/, '');
}

export function readAscii(file: ScannedFile, element: ScannedElement): string {
  return readText(file, element, 'latin1');
}

export function readUint16(file: ScannedFile, element: ScannedElement): number | undefined {
  if (element.valueEnd - element.valueStart < 2) return undefined;
  return new DataView(file.dataSet.buffer, file.dataSet.byteOffset + element.valueStart, 2).getUint16(0, file.littleEndian);
}
