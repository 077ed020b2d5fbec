/**
 * The DICOM JSON model (PS3.18 F.2) of hilum's catalog records and of
 * de-identified headers. Pure: QIDO-RS and WADO-RS metadata are built here.
 */
import type { Series } from '../catalog/commons-entities';
import type { Instance, Study } from '../catalog/entities';
import type { DataSet, ElementValue } from '../dicom';

export type DicomJsonValue = string | number | { Alphabetic?: string; Ideographic?: string; Phonetic?: string } | DicomJson;
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

/** Binary VRs: their values are bytes (InlineBinary), never text. */
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
/** Larger binary values are left out of metadata (a viewer fetches pixels with WADO-RS). */
const MAX_INLINE_BINARY = 64 * 1024;

/**
 * A de-identified data set as DICOM JSON, without Pixel Data (and without binary
 * values over 64 KiB): the WADO-RS metadata of one instance. Keys are upper-case
 * hex tags, as the standard writes them.
 */
export function datasetJson(dict: DataSet): DicomJson {
  const out: DicomJson = {};
  for (const [tag, element] of Object.entries(dict).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const key = tag.toUpperCase();
    if (key === '7FE00010' || key.startsWith('0002')) continue;
    const vr = element.vr;
    const values = element.Value ?? [];
    if (BINARY_VRS.has(vr)) {
      const bytes = values.filter((v): v is ArrayBuffer => v instanceof ArrayBuffer).map((v) => Buffer.from(v));
      const joined = Buffer.concat(bytes);
      if (joined.length === 0) out[key] = { vr };
      else if (joined.length <= MAX_INLINE_BINARY) out[key] = { vr, InlineBinary: joined.toString('base64') };
      continue;
    }
    const converted = values.map((v) => convert(vr, v)).filter((v): v is DicomJsonValue => v !== undefined);
    out[key] = converted.length ? { vr, Value: converted } : { vr };
  }
  return out;
}

function convert(vr: string, value: ElementValue): DicomJsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (vr === 'SQ') return datasetJson(value as DataSet);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (value instanceof ArrayBuffer) return undefined;
  if (vr === 'PN' && typeof value === 'object') {
    const pn = value as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
    return {
      ...(pn.Alphabetic ? { Alphabetic: pn.Alphabetic } : {}),
      ...(pn.Ideographic ? { Ideographic: pn.Ideographic } : {}),
      ...(pn.Phonetic ? { Phonetic: pn.Phonetic } : {}),
    };
  }
  return undefined;
}
