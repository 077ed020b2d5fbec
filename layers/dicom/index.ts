/**
 * hilum's DICOM domain: pure functions over Part 10 bytes, with no AWS import,
 * so the same code runs in Lambda, the CLI, the local runtime and tests.
 */
export { DicomParseError, InflationLimitExceeded } from './errors';
export {
  CEILING_ONLY, DEFAULT_INFLATION_POLICY, INFLATION_CEILING_BYTES, INFLATION_FLOOR_BYTES, MAX_INFLATION_RATIO, inflationLimit, type InflationPolicy,
} from './inflation';
export type { InstanceSummary } from './summary';
export { parseDicom } from './parse';
export {
  deidentify,
  addCounts,
  remapUid,
  patientPseudonym,
  deidentificationMethod,
  keyFingerprint,
  KEY_FINGERPRINT_PREFIX,
  DEIDENTIFICATION_METHOD,
  type DeidentifyOptions,
  type KeyOptions,
  type DeidentifyOutput,
  type PixelReviewReason,
  declaresBurnedInAnnotation,
} from './deidentify';
export {
  DEFAULT_PROFILE,
  BASIC_PROFILE,
  profileForProject,
  parseProfile,
  parseProfileJson,
  ProfileError,
  type DeidProfile,
} from './profiles';
export { verifyDeidentified, type VerificationResult, type VerificationFailure } from './verify';
export { verifySiteDeidentified } from './verify/site';
// QA rules live in layers/qa (the rules engine); they read DICOM through this layer's scanner.
