/**
 * hilum's DICOM domain: pure functions over Part 10 bytes, with no AWS import,
 * so the same code runs in Lambda, the CLI, the local runtime and tests.
 */
export { DicomParseError } from './errors';
export type { InstanceSummary } from './summary';
export { parseDicom } from './parse';
export {
  deidentify,
  remapUid,
  patientPseudonym,
  DEIDENTIFICATION_METHOD,
  type DeidentifyOptions,
  type DeidentifyOutput,
} from './deidentify';
export { verifyDeidentified, type VerificationResult, type VerificationFailure } from './verify';
export { runInstanceQa, IN_SCOPE_MODALITIES, type QaFinding, type QaResult } from './qa/instance-qa';
