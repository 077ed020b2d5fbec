/**
 * Is a value valid for its VR (PS3.5 Table 6.2-1)? Only the VRs that the Type 1
 * table names are checked in depth; others need a non-empty value.
 */
import { decodeText } from '../common/bytes';
import { trimEndOf } from '../dicom';

const MAX_LENGTH: Readonly<Record<string, number>> = { AE: 16, AS: 4, CS: 16, DA: 8, DS: 16, IS: 12, LO: 64, SH: 16, UI: 64, TM: 14 };

const PATTERN: Readonly<Record<string, RegExp>> = {
  UI: /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/,
  CS: /^[A-Z0-9 _]*$/,
  IS: /^ *[+-]?[0-9]+ *$/,
  DS: /^ *[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)? *$/,
  DA: /^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$/,
  TM: /^([01][0-9]|2[0-3])([0-5][0-9]([0-5][0-9](\.[0-9]{1,6})?)?)?$/,
  AS: /^[0-9]{3}[DWMY]$/,
};

/** Fixed byte widths of binary VRs: the value must be a non-empty multiple. */
const BINARY_WIDTH: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4 };

export type VrCheck = 'ok' | 'empty' | 'invalid';

/**
 * Checks a raw value against a VR. Text values are split on backslash (value
 * multiplicity) and each part checked; trailing padding is ignored.
 */
export function checkValue(vr: string, raw: Uint8Array): VrCheck {
  const width = BINARY_WIDTH[vr];
  if (width !== undefined) return raw.byteLength === 0 ? 'empty' : raw.byteLength % width === 0 ? 'ok' : 'invalid';
  if (vr === 'OB' || vr === 'OW' || vr === 'SQ' || vr === 'UN') return raw.byteLength === 0 ? 'empty' : 'ok';
  const text = trimEndOf(decodeText(raw, 'latin1'), ' \0');
  if (text.trim() === '') return 'empty';
  const pattern = PATTERN[vr];
  const max = MAX_LENGTH[vr];
  for (const part of text.split('\\')) {
    const value = vr === 'UI' ? trimEndOf(part, '\0') : part;
    if (max !== undefined && value.length > max) return 'invalid';
    if (pattern && !pattern.test(vr === 'CS' ? value.trim() : value)) return 'invalid';
  }
  return 'ok';
}
