import { DicomParseError } from './errors';
import type { ScannedFile } from './part10';
import { formatTag, TAG, type TagKey } from './tags';
import { readAscii, readText, readUint16, textEncoding, topLevel } from './values';

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

/** A top-level value as text, undefined when absent or empty. */
function topText(file: ScannedFile): (key: TagKey) => string | undefined {
  const top = topLevel(file);
  return (key) => {
    const e = top.get(key);
    const v = e ? readAscii(file, e) : '';
    return v === '' ? undefined : v;
  };
}

function requireIdentifyingUids(text: (key: TagKey) => string | undefined): void {
  const missing = REQUIRED.filter(([, , key]) => text(key) === undefined).map(([, kw, key]) => `${kw} ${formatTag(key)}`);
  if (missing.length > 0) throw new DicomParseError(`missing required attribute(s): ${missing.join(', ')}`);
}

/**
 * What de-identification reads of an input: the summary's SOP Class and
 * Instance UIDs, modality and burned-in flag, with the same check of the
 * identifying UIDs, without decoding the rest (it runs once per file).
 */
export function instanceIdentity(
  file: ScannedFile,
): Pick<InstanceSummary, 'sopClassUid' | 'sopInstanceUid' | 'modality' | 'burnedInAnnotation'> {
  const text = topText(file);
  requireIdentifyingUids(text);
  const identity: Pick<InstanceSummary, 'sopClassUid' | 'sopInstanceUid' | 'modality' | 'burnedInAnnotation'> = {
    sopClassUid: text(TAG.SOPClassUID) ?? '',
    sopInstanceUid: text(TAG.SOPInstanceUID) ?? '',
  };
  const modality = text(TAG.Modality);
  if (modality !== undefined) identity.modality = modality;
  const burnedInAnnotation = text(TAG.BurnedInAnnotation);
  if (burnedInAnnotation !== undefined) identity.burnedInAnnotation = burnedInAnnotation;
  return identity;
}

/** Summarises a scanned file; throws DicomParseError when an identifying UID is missing or empty. */
export function summarize(file: ScannedFile): InstanceSummary {
  const top = topLevel(file);
  const text = topText(file);
  const integer = (key: TagKey): number | undefined => {
    const v = text(key);
    const n = v === undefined ? NaN : Number.parseInt(v, 10);
    return Number.isFinite(n) ? n : undefined;
  };
  const ushort = (key: TagKey): number | undefined => {
    const e = top.get(key);
    return e ? readUint16(file, e) : undefined;
  };

  requireIdentifyingUids(text);

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

/**
 * The imaging attributes the catalog keeps (MIDRC's study and series fields).
 * Kept out of InstanceSummary on purpose: in an ORIGINAL these values may carry
 * PHI (descriptions, the patient id), so only Stage reads them, from the
 * DE-IDENTIFIED output, where PatientID is the keyed pseudonym.
 */
export interface CatalogAttributes {
  patientId?: string;
  patientSex?: string;
  patientAge?: string;
  studyDate?: string;
  studyTime?: string;
  studyDescription?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  bodyPartExamined?: string;
  manufacturer?: string;
  manufacturerModelName?: string;
  sliceThickness?: number;
  convolutionKernel?: string;
  viewPosition?: string;
  pixelSpacing?: number[];
  imageType?: string[];
}

const CATALOG_TAG = {
  PatientID: '00100020',
  PatientSex: '00100040',
  PatientAge: '00101010',
  StudyDate: '00080020',
  StudyTime: '00080030',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  SeriesNumber: '00200011',
  BodyPartExamined: '00180015',
  Manufacturer: '00080070',
  ManufacturerModelName: '00081090',
  SliceThickness: '00180050',
  ConvolutionKernel: '00181210',
  ViewPosition: '00185101',
  PixelSpacing: '00280030',
  ImageType: '00080008',
} as const;

export function catalogAttributes(file: ScannedFile): CatalogAttributes {
  const top = topLevel(file);
  const encoding = textEncoding(file);
  const text = (key: TagKey): string | undefined => {
    const e = top.get(key);
    const v = e ? readText(file, e, encoding).replace(/\0/g, '').trim() : '';
    return v === '' ? undefined : v;
  };
  const numbers = (key: TagKey): number[] | undefined => {
    const parts = text(key)
      ?.split('\\')
      .map((v) => Number.parseFloat(v));
    return parts && parts.length > 0 && parts.every(Number.isFinite) ? parts : undefined;
  };
  const found: CatalogAttributes = {
    patientId: text(CATALOG_TAG.PatientID),
    patientSex: text(CATALOG_TAG.PatientSex),
    patientAge: text(CATALOG_TAG.PatientAge),
    studyDate: text(CATALOG_TAG.StudyDate),
    studyTime: text(CATALOG_TAG.StudyTime),
    studyDescription: text(CATALOG_TAG.StudyDescription),
    seriesDescription: text(CATALOG_TAG.SeriesDescription),
    seriesNumber: numbers(CATALOG_TAG.SeriesNumber)?.[0],
    bodyPartExamined: text(CATALOG_TAG.BodyPartExamined),
    manufacturer: text(CATALOG_TAG.Manufacturer),
    manufacturerModelName: text(CATALOG_TAG.ManufacturerModelName),
    sliceThickness: numbers(CATALOG_TAG.SliceThickness)?.[0],
    convolutionKernel: text(CATALOG_TAG.ConvolutionKernel),
    viewPosition: text(CATALOG_TAG.ViewPosition),
    pixelSpacing: numbers(CATALOG_TAG.PixelSpacing),
    imageType: text(CATALOG_TAG.ImageType)
      ?.split('\\')
      .map((v) => v.trim())
      .filter(Boolean),
  };
  for (const [k, v] of Object.entries(found)) if (v === undefined) delete (found as Record<string, unknown>)[k];
  return found;
}
