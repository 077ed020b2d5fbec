/**
 * The walking-skeleton de-identifier: PS3.15 Basic Profile with Retain Patient
 * Characteristics, a naive dcmjs read-modify-write. The full Annex E engine
 * (options per project, date shifting, clean descriptors, safe private) will
 * replace this function behind the same signature.
 */
import { readDicomFile, writeDicomFile, type DataSet, type DicomFile } from '../dcmjs';
import { textValues } from '../dataset';
import { DicomParseError } from '../errors';
import { scanPart10, TRANSFER_SYNTAX } from '../part10';
import { summarize, type InstanceSummary } from '../summary';
import { TAG } from '../tags';
import { BASIC_PROFILE_RULES } from './annex-e';
import { cleanDataSet, type Counts } from './clean-dataset';
import { patientPseudonym } from './pseudonym';
import { remapUid, type DeidentifyOptions } from './remap-uid';

export { remapUid, type DeidentifyOptions } from './remap-uid';
export { patientPseudonym } from './pseudonym';

export interface DeidentifyOutput {
  /** The de-identified Part 10 file. */
  bytes: Uint8Array;
  /** Of the output (remapped UIDs). */
  summary: InstanceSummary;
  /** needs-pixel-review when Burned In Annotation (0028,0301) is YES: the pixels may show identity. */
  outcome: 'ok' | 'needs-pixel-review';
  /** Counts keyed `${keyword}:${action}`, e.g. "PatientName:pseudonym", "private:X"; never values. */
  actionCounts: Record<string, number>;
}

export const DEIDENTIFICATION_METHOD = 'hilum basic profile (skeleton)';
/** hilum's Implementation Class UID (a UUID-derived 2.25 root), written into every output File Meta. */
export const IMPLEMENTATION_CLASS_UID = '2.25.204684181059408441375702853910960166532';
export const IMPLEMENTATION_VERSION_NAME = 'HILUM_0_1';

/** DCM 113100 Basic Application Confidentiality Profile and 113108 Retain Patient Characteristics Option (CID 7050). */
const METHOD_CODES = [
  ['113100', 'Basic Application Confidentiality Profile'],
  ['113108', 'Retain Patient Characteristics Option'],
] as const;

function firstText(dataSet: DataSet, key: string): string {
  const element = dataSet[key];
  return element ? (textValues(element)[0] ?? '').trim() : '';
}

/**
 * The pseudonym is keyed on PatientID so that every file of a patient gets the same one.
 * Without a PatientID it falls back to the name, then to the study (a study of unknown patient).
 */
function pseudonymFor(dict: DataSet, options: DeidentifyOptions): string {
  const patientId = firstText(dict, TAG.PatientID);
  const key = patientId !== '' ? `id:${patientId}` : firstText(dict, TAG.PatientName) !== '' ? `name:${firstText(dict, TAG.PatientName)}` : `study:${firstText(dict, TAG.StudyInstanceUID)}`;
  return patientPseudonym(key, options);
}

function setIdentityAttributes(dict: DataSet, pseudonym: string, counts: Counts): void {
  dict[TAG.PatientName] = { vr: 'PN', Value: [{ Alphabetic: pseudonym }] };
  dict[TAG.PatientID] = { vr: 'LO', Value: [pseudonym] };
  dict[TAG.PatientIdentityRemoved] = { vr: 'CS', Value: ['YES'] };
  dict[TAG.DeidentificationMethod] = { vr: 'LO', Value: [DEIDENTIFICATION_METHOD] };
  dict[TAG.DeidentificationMethodCodeSequence] = {
    vr: 'SQ',
    Value: METHOD_CODES.map(([code, meaning]) => ({
      '00080100': { vr: 'SH', Value: [code] },
      '00080102': { vr: 'SH', Value: ['DCM'] },
      '00080104': { vr: 'LO', Value: [meaning] },
    })),
  };
  for (const name of ['PatientName', 'PatientID']) counts[`${name}:pseudonym`] = 1;
  for (const name of ['PatientIdentityRemoved', 'DeidentificationMethod', 'DeidentificationMethodCodeSequence']) counts[`${name}:set`] = 1;
}

/** A fresh File Meta: the input's can carry source AE titles and private information. */
function newMeta(dict: DataSet, transferSyntaxUid: string): DataSet {
  return {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    [TAG.MediaStorageSOPClassUID]: { vr: 'UI', Value: [firstText(dict, TAG.SOPClassUID)] },
    [TAG.MediaStorageSOPInstanceUID]: { vr: 'UI', Value: [firstText(dict, TAG.SOPInstanceUID)] },
    [TAG.TransferSyntaxUID]: { vr: 'UI', Value: [transferSyntaxUid] },
    '00020012': { vr: 'UI', Value: [IMPLEMENTATION_CLASS_UID] },
    '00020013': { vr: 'SH', Value: [IMPLEMENTATION_VERSION_NAME] },
  };
}

const NATIVE_SYNTAXES: ReadonlySet<string> = new Set(Object.values(TRANSFER_SYNTAX));

/**
 * Encapsulated Pixel Data must be OB (PS3.5 A.4); some inputs say OW, which
 * readers warn about. The VR changes, the fragments do not.
 */
function fixEncapsulatedPixelVr(dict: DataSet, transferSyntaxUid: string): void {
  const pixels = dict[TAG.PixelData];
  if (pixels && pixels.vr === 'OW' && !NATIVE_SYNTAXES.has(transferSyntaxUid)) pixels.vr = 'OB';
}

/** Reads with dcmjs; its messages can quote values, so they are not passed on. */
function decode(bytes: Uint8Array): DicomFile {
  try {
    return readDicomFile(bytes);
  } catch {
    throw new DicomParseError('data set could not be decoded by the DICOM reader');
  }
}

export function deidentify(bytes: Uint8Array, options: DeidentifyOptions): DeidentifyOutput {
  // Structure and required UIDs first, with a value-free reason when the input is unusable.
  const input = summarize(scanPart10(bytes));
  const { dict } = decode(bytes);

  const outcome = (input.burnedInAnnotation ?? '').trim().toUpperCase() === 'YES' ? 'needs-pixel-review' : 'ok';
  const pseudonym = pseudonymFor(dict, options);
  const counts: Counts = {};
  // The pseudonyms replace these two; the table's Z must not also be counted for them.
  delete dict[TAG.PatientName];
  delete dict[TAG.PatientID];
  cleanDataSet(dict, { rules: BASIC_PROFILE_RULES, remap: (uid) => remapUid(uid, options), counts });
  setIdentityAttributes(dict, pseudonym, counts);
  fixEncapsulatedPixelVr(dict, input.transferSyntaxUid);

  let output: Uint8Array;
  try {
    output = writeDicomFile({ meta: newMeta(dict, input.transferSyntaxUid), dict });
  } catch {
    throw new DicomParseError('the de-identified data set could not be encoded');
  }
  return { bytes: output, summary: summarize(scanPart10(output)), outcome, actionCounts: counts };
}
