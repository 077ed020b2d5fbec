/** Narrowing helpers over dcmjs data sets (see dcmjs.ts for the shapes). */
import type { DataSet, DicomElement, ElementValue, PersonNameValue } from './dcmjs';
import { trimEndOf } from './text/trim';

/** The items of a sequence element (empty when the element is not a sequence). */
export function sequenceItems(element: DicomElement): DataSet[] {
  if (element.vr !== 'SQ' || !element.Value) return [];
  return element.Value.filter((v): v is DataSet => typeof v === 'object' && v !== null && !(v instanceof ArrayBuffer));
}

function personNameText(pn: PersonNameValue): string {
  return trimEndOf([pn.Alphabetic ?? '', pn.Ideographic ?? '', pn.Phonetic ?? ''].join('='), '=');
}

/** One value as text: strings as is, numbers in decimal, person names as "alphabetic=ideographic=phonetic", bytes as Latin-1. */
export function valueText(value: ElementValue, vr: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof ArrayBuffer) return trimEndOf(Buffer.from(value).toString('latin1'), ' \0');
  if (vr === 'PN') return personNameText(value as PersonNameValue);
  return '';
}

export function textValues(element: DicomElement): string[] {
  return (element.Value ?? []).map((v) => valueText(v, element.vr));
}
