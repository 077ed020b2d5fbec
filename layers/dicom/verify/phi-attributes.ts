import type { TagKey } from '../tags';

/**
 * Attributes whose original values must not survive de-identification, as the
 * verifier's own list: deliberately not derived from the de-identifier's table,
 * so a mistake in one is caught by the other.
 */
export const PHI_ATTRIBUTES: ReadonlyArray<{ keyword: string; key: TagKey; personName?: true }> = [
  { keyword: 'PatientName', key: '00100010', personName: true },
  { keyword: 'PatientID', key: '00100020' },
  { keyword: 'PatientBirthDate', key: '00100030' },
  { keyword: 'OtherPatientIDs', key: '00101000' },
  { keyword: 'InstitutionName', key: '00080080' },
  { keyword: 'InstitutionAddress', key: '00080081' },
  { keyword: 'ReferringPhysicianName', key: '00080090', personName: true },
  { keyword: 'PerformingPhysicianName', key: '00081050', personName: true },
  { keyword: 'OperatorsName', key: '00081070', personName: true },
  { keyword: 'AccessionNumber', key: '00080050' },
  { keyword: 'StudyID', key: '00200010' },
  { keyword: 'StudyDate', key: '00080020' },
  { keyword: 'SeriesDate', key: '00080021' },
  { keyword: 'AcquisitionDate', key: '00080022' },
  { keyword: 'ContentDate', key: '00080023' },
  { keyword: 'StudyInstanceUID', key: '0020000D' },
  { keyword: 'SeriesInstanceUID', key: '0020000E' },
  { keyword: 'SOPInstanceUID', key: '00080018' },
  { keyword: 'FrameOfReferenceUID', key: '00200052' },
];
