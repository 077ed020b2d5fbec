/**
 * The identifiers a file's own header held before de-identification, normalized for comparison
 * with what OCR reads from its pixels. They stay in memory for the one decision; nothing of them
 * is logged or recorded.
 */
import type { DataSet } from '../../dicom';
import { normalizeToken } from './tokens';

export interface KnownIdentifiers {
  /** PatientName (every component group) and OtherPatientNames parts, two characters or more. */
  readonly nameParts: ReadonlySet<string>;
  /** PatientID, OtherPatientIDs, AccessionNumber, normalized. */
  readonly ids: ReadonlySet<string>;
  /** The file's dates before de-identification, YYYYMMDD. */
  readonly dates: ReadonlySet<string>;
}

export const NO_KNOWN_IDENTIFIERS: KnownIdentifiers = { nameParts: new Set(), ids: new Set(), dates: new Set() };

const NAME_TAGS = ['00100010', '00101001', '00081060', '00080090'];
const ID_TAGS = ['00100020', '00101000', '00080050'];
const DATE_TAGS = ['00100030', '00080020', '00080021', '00080022', '00080023', '00080012'];

const valuesOf = (dict: DataSet, tag: string): unknown[] => (dict as Record<string, { Value?: unknown[] } | undefined>)[tag]?.Value ?? [];

function personNameStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') {
    return Object.values(value as Record<string, unknown>).filter((v): v is string => typeof v === 'string');
  }
  return [];
}

export function knownIdentifiersOf(dict: DataSet): KnownIdentifiers {
  const nameParts = new Set<string>();
  for (const tag of NAME_TAGS) {
    for (const value of valuesOf(dict, tag)) {
      for (const text of personNameStrings(value)) {
        for (const part of text.split(/[\^=\s,]+/)) {
          const token = normalizeToken(part);
          if (token.length >= 2) nameParts.add(token);
        }
      }
    }
  }
  const ids = new Set<string>();
  for (const tag of ID_TAGS) {
    for (const value of valuesOf(dict, tag)) {
      const token = typeof value === 'string' ? normalizeToken(value) : '';
      if (token.length >= 3) ids.add(token);
    }
  }
  const dates = new Set<string>();
  for (const tag of DATE_TAGS) {
    for (const value of valuesOf(dict, tag)) {
      if (typeof value === 'string' && /^\d{8}$/.test(value.trim())) dates.add(value.trim());
    }
  }
  return { nameParts, ids, dates };
}
