import { DicomParseError } from './errors';
import type { ScannedFile } from './part10';
import { formatTag, TAG, type TagKey } from './tags';
import { readAscii, readUint16, topLevel } from './values';

/** What the pipeline needs to route and catalog an instance. */
export interface InstanceSummary {
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  transferSyntaxUid: string;
  modality?: string;
  bodyPartExamined?: string;
  rows?: number;
  columns?: number;
  burnedInAnnotation?: string;
  studyDate?: string;
  seriesNumber?: number;
  instanceNumber?: number;
}

const REQUIRED: ReadonlyArray<[keyof InstanceSummary, string, TagKey]> = [
  ['sopClassUid', 'SOPClassUID', TAG.SOPClassUID],
  ['sopInstanceUid', 'SOPInstanceUID', TAG.SOPInstanceUID],
  ['studyInstanceUid', 'StudyInstanceUID', TAG.StudyInstanceUID],
  ['seriesInstanceUid', 'SeriesInstanceUID', TAG.SeriesInstanceUID],
];

/** Summarises a scanned file; throws DicomParseError when an identifying UID is missing or empty. */
export function summarize(file: ScannedFile): InstanceSummary {
  const top = topLevel(file);
  const text = (key: TagKey): string | undefined => {
    const e = top.get(key);
    const v = e ? readAscii(file, e) : '';
    return v === '' ? undefined : v;
  };
  const integer = (key: TagKey): number | undefined => {
    const v = text(key);
    const n = v === undefined ? NaN : Number.parseInt(v, 10);
    return Number.isFinite(n) ? n : undefined;
  };
  const ushort = (key: TagKey): number | undefined => {
    const e = top.get(key);
    return e ? readUint16(file, e) : undefined;
  };

  const missing = REQUIRED.filter(([, , key]) => text(key) === undefined).map(([, kw, key]) => `${kw} ${formatTag(key)}`);
  if (missing.length > 0) throw new DicomParseError(`missing required attribute(s): ${missing.join(', ')}`);

  const summary: InstanceSummary = {
    sopClassUid: text(TAG.SOPClassUID) ?? '',
    sopInstanceUid: text(TAG.SOPInstanceUID) ?? '',
    studyInstanceUid: text(TAG.StudyInstanceUID) ?? '',
    seriesInstanceUid: text(TAG.SeriesInstanceUID) ?? '',
    transferSyntaxUid: file.transferSyntaxUid,
  };
  const optional: Partial<InstanceSummary> = {
    modality: text(TAG.Modality),
    bodyPartExamined: text(TAG.BodyPartExamined),
    rows: ushort(TAG.Rows),
    columns: ushort(TAG.Columns),
    burnedInAnnotation: text(TAG.BurnedInAnnotation),
    studyDate: text(TAG.StudyDate),
    seriesNumber: integer(TAG.SeriesNumber),
    instanceNumber: integer(TAG.InstanceNumber),
  };
  // Absent attributes stay absent rather than `undefined`, so summaries compare and serialise cleanly.
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (summary as unknown as Record<string, unknown>)[k] = v;
  return summary;
}
