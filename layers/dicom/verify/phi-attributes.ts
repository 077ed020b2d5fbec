import type { ProfileOption } from '../profiles';
import type { TagKey } from '../tags';

export type PhiKind = 'name' | 'id' | 'text' | 'date' | 'uid';

export interface PhiAttribute {
  keyword: string;
  key: TagKey;
  /** name: components searched too; text: words of 4+ characters too; id, date, uid: whole values. */
  kind: PhiKind;
  /** The profile option under which the value may legitimately stay. */
  retainedBy?: ProfileOption;
  /** Also checked as "the top-level value changed". */
  compare?: true;
}

/**
 * Attributes whose original values must not survive de-identification, as the
 * verifier's own list: deliberately not derived from the de-identifier's table,
 * so a mistake in one is caught by the other. Besides these, every UI value
 * (except the standard's own 1.2.840.10008 UIDs) and every DA/DT value of the
 * original, found by VR, is searched for too.
 */
export const PHI_ATTRIBUTES: readonly PhiAttribute[] = [
  { keyword: 'PatientName', key: '00100010', kind: 'name', compare: true },
  { keyword: 'PatientID', key: '00100020', kind: 'id', compare: true },
  { keyword: 'PatientBirthDate', key: '00100030', kind: 'date', compare: true },
  { keyword: 'OtherPatientIDs', key: '00101000', kind: 'id' },
  { keyword: 'OtherPatientNames', key: '00101001', kind: 'name' },
  { keyword: 'PatientBirthName', key: '00101005', kind: 'name' },
  { keyword: 'PatientMotherBirthName', key: '00101060', kind: 'name' },
  { keyword: 'PatientAddress', key: '00101040', kind: 'text' },
  { keyword: 'PatientTelephoneNumbers', key: '00102154', kind: 'id' },
  { keyword: 'MedicalRecordLocator', key: '00101090', kind: 'id' },
  { keyword: 'InstitutionName', key: '00080080', kind: 'text', retainedBy: 'retainInstitutionIdentity' },
  { keyword: 'InstitutionAddress', key: '00080081', kind: 'text', retainedBy: 'retainInstitutionIdentity' },
  { keyword: 'InstitutionalDepartmentName', key: '00081040', kind: 'text', retainedBy: 'retainInstitutionIdentity' },
  { keyword: 'ReferringPhysicianName', key: '00080090', kind: 'name' },
  { keyword: 'PhysiciansOfRecord', key: '00081048', kind: 'name' },
  { keyword: 'PerformingPhysicianName', key: '00081050', kind: 'name' },
  { keyword: 'NameOfPhysiciansReadingStudy', key: '00081060', kind: 'name' },
  { keyword: 'OperatorsName', key: '00081070', kind: 'name' },
  { keyword: 'RequestingPhysician', key: '00321032', kind: 'name' },
  { keyword: 'AccessionNumber', key: '00080050', kind: 'id' },
  { keyword: 'StudyID', key: '00200010', kind: 'id' },
  { keyword: 'StationName', key: '00081010', kind: 'text', retainedBy: 'retainDeviceIdentity' },
  { keyword: 'DeviceSerialNumber', key: '00181000', kind: 'id', retainedBy: 'retainDeviceIdentity' },
  { keyword: 'StudyDate', key: '00080020', kind: 'date', retainedBy: 'retainLongitudinalFullDates', compare: true },
  { keyword: 'SeriesDate', key: '00080021', kind: 'date', retainedBy: 'retainLongitudinalFullDates', compare: true },
  { keyword: 'AcquisitionDate', key: '00080022', kind: 'date', retainedBy: 'retainLongitudinalFullDates', compare: true },
  { keyword: 'ContentDate', key: '00080023', kind: 'date', retainedBy: 'retainLongitudinalFullDates', compare: true },
  { keyword: 'StudyInstanceUID', key: '0020000D', kind: 'uid', compare: true },
  { keyword: 'SeriesInstanceUID', key: '0020000E', kind: 'uid', compare: true },
  { keyword: 'SOPInstanceUID', key: '00080018', kind: 'uid', compare: true },
  { keyword: 'FrameOfReferenceUID', key: '00200052', kind: 'uid', compare: true },
];
