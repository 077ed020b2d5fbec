/**
 * The DICOM JSON model (PS3.18 Annex F) of hilum's catalog records and of
 * de-identified headers. Pure: QIDO-RS and WADO-RS metadata are built here.
 */
import type { Series } from '../catalog/commons-entities';
import type { Instance, Study } from '../catalog/entities';
import type { DataSet, ElementValue } from '../dicom';

export type DicomJsonValue = string | number | { Alphabetic?: string; Ideographic?: string; Phonetic?: string } | DicomJson | null;
export interface DicomJsonElement {
  vr: string;
  Value?: DicomJsonValue[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type DicomJson = Record<string, DicomJsonElement>;

const str = (vr: string, value: string | undefined): DicomJsonElement =>
  value === undefined || value === '' ? { vr } : { vr, Value: [value] };
const num = (vr: string, value: number | undefined): DicomJsonElement => (value === undefined ? { vr } : { vr, Value: [value] });
const list = (vr: string, values: readonly (string | number)[] | undefined): DicomJsonElement =>
  values && values.length ? { vr, Value: [...values] } : { vr };

/** QIDO-RS study attributes (PS3.18 Table 6.7.1-2), from the catalog's study record. */
export function studyJson(study: Study, baseUrl: string): DicomJson {
  return {
    '00080020': { vr: 'DA' }, // StudyDate: hilum keeps only the year of the shifted date
    '00080030': { vr: 'TM' },
    '00080050': { vr: 'SH' },
    '00080061': list('CS', study.modalities),
    '00080090': { vr: 'PN' },
    '00081030': str('LO', study.studyDescription),
    '00081190': str('UR', `${baseUrl}/studies/${study.studyUid}`),
    '00100010': { vr: 'PN' },
    '00100020': str('LO', study.patientPseudonym),
    '00100030': { vr: 'DA' },
    '00100040': str('CS', study.patientSex),
    '0020000D': str('UI', study.studyUid),
    '00200010': { vr: 'SH' },
    '00201206': num('IS', study.seriesCount),
    '00201208': num('IS', study.instanceCount),
  };
}

/** QIDO-RS series attributes (PS3.18 Table 6.7.1-2a). */
export function seriesJson(series: Series, baseUrl: string): DicomJson {
  return {
    '00080060': str('CS', series.modality),
    '0008103E': str('LO', series.seriesDescription),
    '00081190': str('UR', `${baseUrl}/studies/${series.studyUid}/series/${series.seriesUid}`),
    '00180015': str('CS', series.bodyPart),
    '0020000D': str('UI', series.studyUid),
    '0020000E': str('UI', series.seriesUid),
    '00200011': num('IS', series.seriesNumber),
    '00201209': num('IS', series.instanceCount),
  };
}

/** QIDO-RS instance attributes (PS3.18 Table 6.7.1-2b). */
export function instanceJson(instance: Instance, baseUrl: string): DicomJson {
  return {
    '00080016': str('UI', instance.sopClassUid),
    '00080018': str('UI', instance.sopUid),
    '00080060': str('CS', instance.modality),
    '00083002': str('UI', instance.transferSyntaxUid),
    '00081190': str('UR', `${baseUrl}/studies/${instance.studyUid}/series/${instance.seriesUid}/instances/${instance.sopUid}`),
    '0020000D': str('UI', instance.studyUid),
    '0020000E': str('UI', instance.seriesUid),
    '00200013': num('IS', instance.instanceNumber),
  };
}

/** Binary VRs: their values are bytes (InlineBinary or BulkDataURI, PS3.18 F.2.7), never text. */
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
/** Binary values up to this size travel inline; larger ones by BulkDataURI (or are left out without one). */
export const MAX_INLINE_BINARY = 1024;

export interface DatasetJsonOptions {
  /**
   * The BulkDataURI of a binary attribute, from its path: top-level tags as `7FE00010`,
   * nested ones as `00540016.0.00181072` (sequence tag, 0-based item, tag). Without it,
   * binary values above the inline limit are left out.
   */
  bulkDataUri?: (path: string) => string;
  /** The VR of the instance's Pixel Data when it has one: it is answered by BulkDataURI, never inline. */
  pixelDataVr?: string;
  maxInlineBinary?: number;
}

/**
 * A data set as DICOM JSON (PS3.18 F.2): the WADO-RS metadata of one instance.
 * Keys are upper-case hex tags, as the standard writes them; the File Meta group is
 * not part of it. Empty values omit `Value` (F.2.5; one empty value among several is
 * `null`), PN values are `{Alphabetic, Ideographic, Phonetic}` objects (F.2.2), AT values
 * hex tag strings, IS/DS numbers, small binary values InlineBinary and large ones (and
 * Pixel Data) a BulkDataURI. SpecificCharacterSet is the one stored in the instance:
 * the reader decodes text by it, and a viewer that shows the attribute sees what the
 * instance says (the JSON itself is UTF-8, as F.2 requires of every DICOM JSON).
 */
export function datasetJson(dict: DataSet, options: DatasetJsonOptions = {}): DicomJson {
  const out = datasetJsonAt(dict, options, '');
  if (options.pixelDataVr) {
    out['7FE00010'] = options.bulkDataUri
      ? { vr: options.pixelDataVr, BulkDataURI: options.bulkDataUri('7FE00010') }
      : { vr: options.pixelDataVr };
  }
  return out;
}

function datasetJsonAt(dict: DataSet, options: DatasetJsonOptions, prefix: string): DicomJson {
  const out: DicomJson = {};
  const maxInline = options.maxInlineBinary ?? MAX_INLINE_BINARY;
  for (const [tag, element] of Object.entries(dict).sort(([a], [b]) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1))) {
    const key = tag.toUpperCase();
    // Top-level Pixel Data is the caller's (pixelDataVr); an icon's, inside a sequence, is bulk data like any other.
    if ((key === '7FE00010' && prefix === '') || key.startsWith('0002')) continue;
    const vr = element.vr;
    const path = `${prefix}${key}`;
    if (BINARY_VRS.has(vr)) {
      const bytes = Buffer.concat(
        (element.Value ?? []).filter((v): v is ArrayBuffer => v instanceof ArrayBuffer).map((v) => Buffer.from(v)),
      );
      if (bytes.length === 0) out[key] = { vr };
      else if (bytes.length <= maxInline) out[key] = { vr, InlineBinary: bytes.toString('base64') };
      else if (options.bulkDataUri) out[key] = { vr, BulkDataURI: options.bulkDataUri(path) };
      continue;
    }
    const stored = key === '00080005' ? storedCharacterSets(element) : undefined;
    const values = stored ?? element.Value ?? [];
    const converted = values.map((v, i) => convert(vr, v, options, `${path}.${i}.`));
    out[key] = converted.every((v) => v === null) ? { vr } : { vr, Value: converted };
  }
  return out;
}

/**
 * SpecificCharacterSet as the instance stores it. dcmjs decodes every string to
 * Unicode and then rewrites the attribute to ISO_IR 192; the bytes it read are kept in
 * `_rawValue`.
 */
function storedCharacterSets(element: DataSet[keyof DataSet]): ElementValue[] | undefined {
  const raw = element._rawValue;
  return Array.isArray(raw) && raw.every((v) => typeof v === 'string') ? (raw as string[]).map((v) => v.trim()) : undefined;
}

/** One value in DICOM JSON; null for an empty one (F.2.5). */
function convert(vr: string, value: ElementValue, options: DatasetJsonOptions, itemPrefix: string): DicomJsonValue {
  if (value === null || value === undefined) return null;
  if (vr === 'SQ') return typeof value === 'object' ? datasetJsonAt(value as DataSet, options, itemPrefix) : null;
  if (vr === 'AT' && typeof value === 'number') return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value === '' ? null : value;
  if (value instanceof ArrayBuffer) return null;
  if (vr === 'PN' && typeof value === 'object') {
    const pn = value as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
    const name = {
      ...(pn.Alphabetic ? { Alphabetic: pn.Alphabetic } : {}),
      ...(pn.Ideographic ? { Ideographic: pn.Ideographic } : {}),
      ...(pn.Phonetic ? { Phonetic: pn.Phonetic } : {}),
    };
    return Object.keys(name).length ? name : null;
  }
  return null;
}
