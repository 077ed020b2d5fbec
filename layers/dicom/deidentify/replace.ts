/** What each table action writes into one element. */
import type { DicomElement, ElementValue } from '../dcmjs';
import { valueText } from '../dataset';

/** Fixed, obviously fake values per VR for D (PS3.15 E.1.1: non-zero length, consistent with the VR). */
const DUMMY: Readonly<Record<string, ElementValue>> = {
  AE: 'ANONYMOUS', AS: '000Y', CS: 'ANONYMOUS', DA: '19000101', DT: '19000101000000', TM: '000000',
  LO: 'ANONYMOUS', LT: 'ANONYMOUS', SH: 'ANONYMOUS', ST: 'ANONYMOUS', UC: 'ANONYMOUS', UT: 'ANONYMOUS',
  UR: 'ANONYMOUS', PN: { Alphabetic: 'ANONYMOUS' }, IS: 0, DS: 0,
  US: 0, SS: 0, UL: 0, SL: 0, FL: 0, FD: 0, UV: 0, SV: 0,
};

function set(element: DicomElement, values: ElementValue[]): void {
  element.Value = values;
  delete element._rawValue;
}

export function emptyValue(element: DicomElement): void {
  set(element, []);
}

/**
 * D. A sequence becomes empty (zero items) rather than a fabricated item: the
 * skeleton cannot know what a valid item holds, and an empty one leaks nothing.
 * Binary and unknown VRs are emptied for the same reason.
 */
export function dummyValue(element: DicomElement): void {
  const dummy = DUMMY[element.vr];
  set(element, dummy === undefined ? [] : [dummy]);
}

/** U: every value through the keyed remap; values that are not text (UN bytes) are decoded first and the VR fixed to UI. */
export function remapValues(element: DicomElement, remap: (uid: string) => string): void {
  const values = (element.Value ?? []).flatMap((v) => valueText(v, element.vr).split('\\')).map((v) => v.replace(/[\0 ]+$/, ''));
  element.vr = 'UI';
  set(element, values.map((v) => (v === '' ? v : remap(v))));
}
