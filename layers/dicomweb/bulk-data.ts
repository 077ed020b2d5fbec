/**
 * Bulk data attribute paths (the last segment of a BulkDataURI, as json.ts writes it):
 * a top-level tag (`00281201`), or sequence tag, 0-based item, tag, and so on
 * (`00880200.0.7FE00010`). Pure: the value is looked up in a data set dcmjs read.
 */
import type { DataSet } from '../dicom';

const ATTRIBUTE_PATH = /^[0-9A-F]{8}(\.\d{1,6}\.[0-9A-F]{8}){0,8}$/;

/** The path's segments (tags upper-cased, item indexes as numbers), or undefined when it is not a bulk data path. */
export function parseBulkDataPath(text: string): (string | number)[] | undefined {
  const upper = text.toUpperCase();
  if (!ATTRIBUTE_PATH.test(upper)) return undefined;
  return upper.split('.').map((segment, i) => (i % 2 === 1 ? Number(segment) : segment));
}

/** The bytes of the binary value at a path, or undefined when there is none (no such attribute or item, or not binary). */
export function bulkDataValue(dict: DataSet, path: readonly (string | number)[]): Uint8Array | undefined {
  const [tag, item, ...rest] = path;
  const element = Object.entries(dict).find(([key]) => key.toUpperCase() === tag)?.[1];
  if (!element) return undefined;
  if (item !== undefined) {
    const nested = element.vr === 'SQ' ? element.Value?.[item as number] : undefined;
    return nested && typeof nested === 'object' && !(nested instanceof ArrayBuffer) ? bulkDataValue(nested as DataSet, rest) : undefined;
  }
  const buffers = (element.Value ?? []).filter((v): v is ArrayBuffer => v instanceof ArrayBuffer);
  if (buffers.length === 0) return undefined;
  return Buffer.concat(buffers.map((b) => Buffer.from(b)));
}
