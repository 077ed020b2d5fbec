/** Every rule, in the order reports list them. Adding a rule: a module, a line here, a test. */
import { deidPixelReview } from './instance/deid-pixel-review';
import { deidVerified } from './instance/deid-verified';
import { dicomParses } from './instance/dicom-parses';
import { iodType1 } from './instance/iod-type1';
import { iodType1Modality } from './instance/iod-type1-modality';
import { pixelConsistent } from './instance/pixel-consistent';
import { pixelPresent } from './instance/pixel-present';
import type { InstanceRule } from './instance/rule';
import { scopeModality } from './instance/scope-modality';
import { scopeSopClass } from './instance/scope-sop-class';
import { transferSyntaxSupported } from './instance/transfer-syntax-supported';
import { duplicatePixels } from './study/duplicate-pixels';
import { duplicateSop } from './study/duplicate-sop';
import { instanceNumberGaps } from './study/instance-number-gaps';
import { mixedFramesOfReference, mixedModalities } from './study/mixed-series';
import { onePatientPerStudy } from './study/one-patient-per-study';
import { oneStudyPerSeries } from './study/one-study-per-series';
import type { StudyRule } from './study/rule';
import { allReceived } from './submission/all-received';
import { everyStudyHasCase } from './submission/cases';
import type { SubmissionRule } from './submission/rule';
import type { RuleMeta } from '../types';

export const INSTANCE_RULES: readonly InstanceRule[] = [
  dicomParses,
  transferSyntaxSupported,
  scopeModality,
  scopeSopClass,
  iodType1,
  iodType1Modality,
  pixelPresent,
  pixelConsistent,
  deidVerified,
  deidPixelReview,
];

export const STUDY_RULES: readonly StudyRule[] = [
  onePatientPerStudy,
  oneStudyPerSeries,
  duplicateSop,
  duplicatePixels,
  instanceNumberGaps,
  mixedModalities,
  mixedFramesOfReference,
];

export const SUBMISSION_RULES: readonly SubmissionRule[] = [allReceived, everyStudyHasCase];

export const ALL_RULES: readonly RuleMeta[] = [...INSTANCE_RULES, ...STUDY_RULES, ...SUBMISSION_RULES];
export const RULE_IDS: readonly string[] = ALL_RULES.map((r) => r.id);

export function ruleById(id: string): RuleMeta | undefined {
  return ALL_RULES.find((r) => r.id === id);
}

/**
 * Error names of the ingest workflow that are findings of a rule: the quarantine
 * step records them under the rule id so reports and curators see one vocabulary.
 */
export const RULE_FOR_ERROR: Readonly<Record<string, string>> = {
  DicomParseError: 'dicom.parses',
  SizeMismatch: 'dicom.parses',
  ObjectTooLarge: 'dicom.parses',
  InflationLimitExceeded: 'dicom.parses',
  VerificationFailed: 'deid.verified',
};
