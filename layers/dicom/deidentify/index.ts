/**
 * De-identification: PS3.15 Annex E, table-driven, under a profile (default:
 * the MIDRC profile). See engine.ts for how, README.md for the decisions.
 */
import { DEFAULT_PROFILE } from '../profiles';
import { deidentifyFile, type DeidentifyOutput } from './engine';
import { deidentificationMethod } from './marking';
import type { DeidentifyOptions } from './remap-uid';

export { remapUid, type DeidentifyOptions, type KeyOptions, type ProjectKey } from './remap-uid';
export { patientPseudonym } from './pseudonym';
export { dateShiftDays, shiftDate } from './dates';
export { deidentificationMethod, methodCodes } from './marking';
export { keyFingerprint, KEY_FINGERPRINT_PREFIX } from './key-fingerprint';
export { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, type DeidentifyOutput, type Counts } from './engine';
export {
  declaresBurnedInAnnotation,
  describePixelReview,
  PIXEL_REVIEW_REASONS,
  pixelReviewReasons,
  type PixelReviewReason,
  type PixelRiskInput,
} from './pixel-review';

/** De-identification Method (0012,0063) written under the default profile. */
export const DEIDENTIFICATION_METHOD = /* @__PURE__ */ deidentificationMethod(DEFAULT_PROFILE);

export function deidentify(bytes: Uint8Array, options: DeidentifyOptions): DeidentifyOutput {
  return deidentifyFile(
    bytes,
    { secret: options.secret, project: options.project, site: options.site },
    options.profile ?? DEFAULT_PROFILE,
  );
}

/** Adds one file's counts into a batch's. */
export function addCounts(total: Record<string, number>, counts: Readonly<Record<string, number>>): Record<string, number> {
  for (const [key, n] of Object.entries(counts)) total[key] = (total[key] ?? 0) + n;
  return total;
}
