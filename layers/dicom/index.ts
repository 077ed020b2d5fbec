/**
 * hilum's DICOM domain: pure functions over Part 10 bytes, with no AWS import,
 * so the same code runs in Lambda, the CLI, the local runtime and tests.
 */
export { DicomParseError, InflationLimitExceeded } from './errors';
export {
  CEILING_ONLY,
  DEFAULT_INFLATION_POLICY,
  INFLATION_CEILING_BYTES,
  INFLATION_FLOOR_BYTES,
  MAX_INFLATION_RATIO,
  inflationLimit,
  type InflationPolicy,
} from './inflation';
export { catalogAttributes, type CatalogAttributes, type InstanceSummary } from './summary';
export { parseDicom } from './parse';
// The structural walker and its readers: QA rules, catalog fields and the release re-check read headers with them.
export { scanPart10, type ScannedElement, type ScannedFile } from './part10';
export { rawValue, readAscii, readUint16, topLevel } from './values';
export { TAG, type TagKey } from './tags';
export { trimEndOf } from './text/trim';
// The dcmjs facade: DICOMweb metadata and the de-identification bench read and write whole data sets with it.
export { readDicomFile, readDicomHeader, writeDicomFile, type DataSet, type ElementValue } from './dcmjs';
export { headerStringsAsDcmjs, type AlikeVr } from './dcmjs-alike';
export {
  deidentify,
  addCounts,
  remapUid,
  patientPseudonym,
  dateShiftDays,
  shiftDate,
  deidentificationMethod,
  keyFingerprint,
  KEY_FINGERPRINT_PREFIX,
  DEIDENTIFICATION_METHOD,
  type DeidentifyOptions,
  type KeyOptions,
  type DeidentifyOutput,
  type PixelReviewReason,
  type PixelRiskInput,
  declaresBurnedInAnnotation,
  describePixelReview,
  PIXEL_REVIEW_REASONS,
  pixelReviewReasons,
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
export { verificationNeedsDecodedOriginal } from './verify/clean-pixels';
export { verifySiteDeidentified } from './verify/site';
// Pixel Data: frames as stored, decoding per transfer syntax, transcoding to Explicit VR Little Endian (DICOMweb retrieve and rendering).
export {
  storedFrames,
  decodeFrame,
  canDecode,
  transcodeToExplicitLittleEndian,
  frameAsExplicitLittleEndian,
  PixelDataError,
  UnsupportedTransferSyntax,
  PIXEL_SYNTAX,
  CODEC_FILES,
  type ImagePixelDescription,
  type StoredFrames,
  type DecodedFrame,
  type PixelSamples,
} from './pixels';
export {
  cleanPixelData,
  CleanPixelDataRefused,
  CLEAN_PIXEL_DATA_CODE,
  layoutAttributesOf,
  layoutFor,
  type CleanLayout,
  type CleanPixelDataResult,
  type CleanRegion,
} from './pixels/clean';
// QA rules live in layers/qa (the rules engine); they read DICOM through this layer's scanner.
