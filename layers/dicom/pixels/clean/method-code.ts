/**
 * Records that the Clean Pixel Data Option was applied: one more item, CID 7050 (113101, DCM,
 * "Clean Pixel Data Option"), in the top-level De-identification Method Code Sequence the engine
 * wrote. The sequence is extended in place; every other byte of the file stays as it was.
 */
import { header, itemTag, textValue, UNDEFINED_LENGTH } from '../../deidentify/encode';
import { scanPart10 } from '../../part10';
import { topLevel } from '../../values';
import { CleanPixelDataRefused } from './errors';

const SEQUENCE = '00120064';

export function withMethodCode(part10: Uint8Array, code: { readonly value: string; readonly meaning: string }): Uint8Array {
  const file = scanPart10(part10);
  if (file.dataSet.buffer !== part10.buffer) throw new CleanPixelDataRefused('clean pixel data: a deflated file cannot be marked in place');
  const sequence = topLevel(file).get(SEQUENCE);
  if (!sequence)
    throw new CleanPixelDataRefused('clean pixel data: the file has no DeidentificationMethodCodeSequence to record the option in');
  const syntax = { little: file.littleEndian, explicit: file.transferSyntaxUid !== '1.2.840.10008.1.2' };
  const elements = [
    ['00080100', 'SH', code.value],
    ['00080102', 'SH', 'DCM'],
    ['00080104', 'LO', code.meaning],
  ].map(([key, vr, text]) => {
    const value = textValue(text!, vr, 'latin1');
    return [header(key!, vr, value.byteLength, syntax), value];
  });
  const body = elements.flat();
  const bodyLength = body.reduce((n, b) => n + b.byteLength, 0);
  const item = [itemTag('E000', bodyLength, syntax), ...body];
  const itemLength = bodyLength + 8;
  const base = file.dataSet.byteOffset - part10.byteOffset;
  // Undefined length: the new item goes before the sequence delimiter; defined: after the last item, and the length grows.
  const insertAt = base + (sequence.undefinedLength ? sequence.valueEnd - 8 : sequence.valueEnd);
  const out = new Uint8Array(part10.byteLength + itemLength);
  out.set(part10.subarray(0, insertAt));
  let at = insertAt;
  for (const chunk of item) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  out.set(part10.subarray(insertAt), at);
  if (!sequence.undefinedLength) {
    const lengthAt = base + sequence.headerStart + (syntax.explicit ? 8 : 4);
    const view = new DataView(out.buffer, out.byteOffset);
    const length = view.getUint32(lengthAt, syntax.little);
    if (length === UNDEFINED_LENGTH) throw new CleanPixelDataRefused('clean pixel data: the sequence length is inconsistent');
    view.setUint32(lengthAt, length + itemLength, syntax.little);
  }
  return out;
}
