import { readDicomFile, DataSet, ElementValue } from '../../layers/dicom/dcmjs';
import { scanPart10 } from '../../layers/dicom/part10';
import { pixelPayload } from '../../layers/dicom/verify/pixel-data';
import { TagKey } from '../../layers/dicom/tags';

/** Test-side readers of DICOM bytes: what a file says, for assertions. */
export function topLevelText(bytes: Uint8Array, tag: TagKey): string | undefined {
  const { dict, meta } = readDicomFile(bytes);
  return textOf((dict as DataSet)[tag]?.Value?.[0] ?? (meta as DataSet)[tag]?.Value?.[0]);
}

export function pixelBytes(bytes: Uint8Array): Buffer | undefined {
  // The verifier's payload is a plain Uint8Array since it also runs in browsers: a Buffer view for the tests' .equals.
  const payload = pixelPayload(scanPart10(bytes))?.bytes;
  return payload && Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** True when `needle` occurs anywhere in the bytes (as ASCII/UTF-8). */
export function bytesContain(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle, 'utf8'));
}

function textOf(value: ElementValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'object' && 'Alphabetic' in value) return String(value.Alphabetic ?? '');
  return undefined;
}
