/**
 * How a de-identified instance says so (PS3.15 E.1.1, PS3.3 C.12.1): Patient
 * Identity Removed, the method text, and the CID 7050 codes of the profile and
 * every option applied.
 */
import type { DeidProfile, ProfileOption } from '../profiles';

export interface MethodCode {
  value: string;
  meaning: string;
}

export const BASIC_PROFILE_CODE: MethodCode = { value: '113100', meaning: 'Basic Application Confidentiality Profile' };

const OPTION_CODES: ReadonlyArray<[ProfileOption, MethodCode]> = [
  ['cleanDescriptors', { value: '113105', meaning: 'Clean Descriptors Option' }],
  ['retainLongitudinalFullDates', { value: '113106', meaning: 'Retain Longitudinal Temporal Information Full Dates Option' }],
  ['retainLongitudinalModifiedDates', { value: '113107', meaning: 'Retain Longitudinal Temporal Information Modified Dates Option' }],
  ['retainPatientCharacteristics', { value: '113108', meaning: 'Retain Patient Characteristics Option' }],
  ['retainDeviceIdentity', { value: '113109', meaning: 'Retain Device Identity Option' }],
  ['retainSafePrivate', { value: '113111', meaning: 'Retain Safe Private Option' }],
  ['retainInstitutionIdentity', { value: '113112', meaning: 'Retain Institution Identity Option' }],
];

/** 113100 first, then each enabled option's code in code order. */
export function methodCodes(profile: DeidProfile): MethodCode[] {
  return [BASIC_PROFILE_CODE, ...OPTION_CODES.filter(([option]) => profile.options[option]).map(([, code]) => code)];
}

/** De-identification Method (0012,0063), an LO: at most 64 characters. */
export function deidentificationMethod(profile: DeidProfile): string {
  return `hilum ${profile.name} (PS3.15 E ${methodCodes(profile)
    .map((c) => c.value)
    .join(' ')})`.slice(0, 64);
}

/** Longitudinal Temporal Information Modified (0028,0303). */
export function temporalInformation(profile: DeidProfile): 'MODIFIED' | 'UNMODIFIED' | 'REMOVED' {
  if (profile.options.retainLongitudinalModifiedDates) return 'MODIFIED';
  return profile.options.retainLongitudinalFullDates ? 'UNMODIFIED' : 'REMOVED';
}
