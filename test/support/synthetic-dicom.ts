/**
 * Synthetic DICOM for tests: valid Part 10 files (Explicit VR Little Endian)
 * built with dcmjs, carrying planted PHI so that de-identification and
 * verification have something to find.
 *
 *   const bytes = makeDicom();                                   // 16x16 16-bit CT slice
 *   const mr = makeDicom({ modality: 'MR', patient: { id: 'P2' } });
 *   const slices = makeSeries(5, { patient: { name: 'ROE^RICHARD' } });   // one series, 5 instances
 *
 * Everything is deterministic: the same options give the same bytes. The
 * planted values are in SYNTHETIC_PHI (patient overrides replace them).
 */
import { writeDicomFile, type DataSet, type DicomElement } from '../../layers/dicom/dcmjs';

export const SYNTHETIC_PHI = {
  patientName: 'DOE^JANE^QUINN',
  patientId: 'MRN-90210-77',
  patientBirthDate: '19700412',
  otherPatientId: 'ALT-55501',
  institutionName: 'SYNTHETIC GENERAL HOSPITAL',
  institutionAddress: '12 ELM STREET SPRINGFIELD',
  accessionNumber: 'ACC-2024-000123',
  referringPhysicianName: 'HOUSE^GREGORY',
  operatorsName: 'RATCHED^MILDRED',
  studyId: 'STUDY-4242',
  studyDate: '20240315',
  seriesDate: '20240316',
  acquisitionDate: '20240317',
  contentDate: '20240318',
  privateText: 'PRIVATE NOTE FOR DOE^JANE',
} as const;

const ROOT = '1.2.826.0.1.3680043.8.498.7711';
export const SYNTHETIC_UIDS = {
  study: `${ROOT}.1`,
  series: `${ROOT}.2`,
  frameOfReference: `${ROOT}.3`,
} as const;

const SOP_CLASS_BY_MODALITY: Readonly<Record<string, string>> = {
  CT: '1.2.840.10008.5.1.4.1.1.2',
  MR: '1.2.840.10008.5.1.4.1.1.4',
  CR: '1.2.840.10008.5.1.4.1.1.1',
  DX: '1.2.840.10008.5.1.4.1.1.1.1',
};
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export interface SyntheticPatient {
  name?: string;
  id?: string;
  birthDate?: string;
  sex?: string;
  age?: string;
}

export interface SyntheticDicomOptions {
  /** Default CT; the SOP class follows (CT, MR, CR, DX; anything else is Secondary Capture). */
  modality?: string;
  sopClassUid?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  frameOfReferenceUid?: string;
  /** Overrides the planted patient; unspecified fields keep SYNTHETIC_PHI's values. */
  patient?: SyntheticPatient;
  /** Default 16 x 16. */
  rows?: number;
  columns?: number;
  /** Burned In Annotation (0028,0301); absent unless given. */
  burnedInAnnotation?: 'YES' | 'NO';
  /** Default 1; also varies the pixel values and the default SOP Instance UID (`${seriesInstanceUid}.${instanceNumber}`). */
  instanceNumber?: number;
  seriesNumber?: number;
  /** Default true: a private block in group 0009 holding a text and a private sequence with a name. */
  privateBlock?: boolean;
  /** Extra or replacement elements, keyed like dcmjs ("00204000": { vr: 'LT', Value: ['...'] }). */
  elements?: DataSet;
}

function str(vr: string, value: string): DicomElement {
  return { vr, Value: [value] };
}

function pn(value: string): DicomElement {
  return { vr: 'PN', Value: [{ Alphabetic: value }] };
}

function us(value: number): DicomElement {
  return { vr: 'US', Value: [value] };
}

/** 16-bit little-endian ramp, offset by the instance number so slices differ. */
function pixelBytes(rows: number, columns: number, instanceNumber: number): ArrayBuffer {
  const pixels = new Uint16Array(rows * columns);
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = (i * 7 + instanceNumber * 13) % 4096;
  const bytes = new Uint8Array(pixels.length * 2);
  const view = new DataView(bytes.buffer);
  pixels.forEach((p, i) => view.setUint16(i * 2, p, true));
  return bytes.buffer;
}

/** One Part 10 instance. */
export function makeDicom(options: SyntheticDicomOptions = {}): Uint8Array {
  const modality = options.modality ?? 'CT';
  const patient = {
    name: SYNTHETIC_PHI.patientName,
    id: SYNTHETIC_PHI.patientId,
    birthDate: SYNTHETIC_PHI.patientBirthDate,
    sex: 'F',
    age: '054Y',
    ...options.patient,
  };
  const rows = options.rows ?? 16;
  const columns = options.columns ?? 16;
  const instanceNumber = options.instanceNumber ?? 1;
  const sopClassUid = options.sopClassUid ?? SOP_CLASS_BY_MODALITY[modality] ?? SECONDARY_CAPTURE;
  const seriesInstanceUid = options.seriesInstanceUid ?? SYNTHETIC_UIDS.series;
  // Derived from the series so that two generated series never share an instance UID.
  const sopInstanceUid = options.sopInstanceUid ?? `${seriesInstanceUid}.${instanceNumber}`;

  const dict: DataSet = {
    '00080008': { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY', 'AXIAL'] },
    '00080016': str('UI', sopClassUid),
    '00080018': str('UI', sopInstanceUid),
    '00080020': str('DA', SYNTHETIC_PHI.studyDate),
    '00080021': str('DA', SYNTHETIC_PHI.seriesDate),
    '00080022': str('DA', SYNTHETIC_PHI.acquisitionDate),
    '00080023': str('DA', SYNTHETIC_PHI.contentDate),
    '00080030': str('TM', '101500'),
    '00080050': str('SH', SYNTHETIC_PHI.accessionNumber),
    '00080060': str('CS', modality),
    '00080070': str('LO', 'ACME MEDICAL'),
    '00080080': str('LO', SYNTHETIC_PHI.institutionName),
    '00080081': str('ST', SYNTHETIC_PHI.institutionAddress),
    '00080090': pn(SYNTHETIC_PHI.referringPhysicianName),
    '00081070': pn(SYNTHETIC_PHI.operatorsName),
    '00100010': pn(patient.name),
    '00100020': str('LO', patient.id),
    '00100030': str('DA', patient.birthDate),
    '00100040': str('CS', patient.sex),
    '00101010': str('AS', patient.age),
    '00101002': {
      vr: 'SQ',
      Value: [{ '00100020': str('LO', SYNTHETIC_PHI.otherPatientId), '00100021': str('LO', 'SYNTHETIC HIS') }],
    },
    '00180015': str('CS', 'CHEST'),
    '0020000D': str('UI', options.studyInstanceUid ?? SYNTHETIC_UIDS.study),
    '0020000E': str('UI', seriesInstanceUid),
    '00200010': str('SH', SYNTHETIC_PHI.studyId),
    '00200011': { vr: 'IS', Value: [options.seriesNumber ?? 1] },
    '00200013': { vr: 'IS', Value: [instanceNumber] },
    '00200032': { vr: 'DS', Value: [0, 0, instanceNumber * 2.5] },
    '00200037': { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] },
    '00200052': str('UI', options.frameOfReferenceUid ?? SYNTHETIC_UIDS.frameOfReference),
    '00280002': us(1),
    '00280004': str('CS', 'MONOCHROME2'),
    '00280010': us(rows),
    '00280011': us(columns),
    '00280030': { vr: 'DS', Value: [0.5, 0.5] },
    '00280100': us(16),
    '00280101': us(12),
    '00280102': us(11),
    '00280103': us(0),
    '7FE00010': { vr: 'OW', Value: [pixelBytes(rows, columns, instanceNumber)] },
  };
  if (options.burnedInAnnotation) dict['00280301'] = str('CS', options.burnedInAnnotation);
  if (options.privateBlock ?? true) {
    dict['00090010'] = str('LO', 'HILUM SYNTHETIC');
    dict['00091001'] = str('LO', SYNTHETIC_PHI.privateText);
    dict['00091002'] = { vr: 'SQ', Value: [{ '00100010': pn(patient.name) }] };
  }
  Object.assign(dict, options.elements);

  const meta: DataSet = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': str('UI', sopClassUid),
    '00020003': str('UI', sopInstanceUid),
    '00020010': str('UI', EXPLICIT_VR_LITTLE_ENDIAN),
    '00020012': str('UI', `${ROOT}.99`),
  };
  return writeDicomFile({ meta, dict });
}

/**
 * `count` instances of one series (shared study, series and frame of reference
 * UIDs), InstanceNumber 1..count, each with its own SOP Instance UID and pixels.
 */
export function makeSeries(count: number, options: Omit<SyntheticDicomOptions, 'instanceNumber' | 'sopInstanceUid'> = {}): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => makeDicom({ ...options, instanceNumber: i + 1 }));
}
