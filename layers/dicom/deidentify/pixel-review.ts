/**
 * Which instances need a person to look at the pixels before release: pixel
 * data passes through unchanged, so text burned into it would be published.
 */
export const PIXEL_REVIEW_REASONS = [
  'burned-in-annotation',
  'secondary-capture',
  'radiograph-not-declared-clean',
  // The OCR check of an at-risk image (layers/ingest/burned-in): text found, or the check could not finish.
  'text-in-pixels',
  'ocr-timeout',
  'ocr-failed',
  // Clean Pixel Data (the project enables it): the device's layout is tabled, but its pixels could not be blanked.
  'clean-pixel-data-refused',
] as const;
/** A trigger of pixel review: a code, never a value (the workflow carries the list from Deidentify to QA). */
export type PixelReviewReason = (typeof PIXEL_REVIEW_REASONS)[number];

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const CR = '1.2.840.10008.5.1.4.1.1.1';
const DX_FAMILY = '1.2.840.10008.5.1.4.1.1.1.'; // DX, mammography, intra-oral, each for presentation/processing

/**
 * The one reading of BurnedInAnnotation (0028,0301) in hilum: YES, whatever its case and
 * padding, says text is burned into the pixels. The de-identifier, the QA rule deid.pixel-review
 * and the ingest of files de-identified at the site all decide through it.
 */
export function declaresBurnedInAnnotation(value: string | undefined): boolean {
  return (value ?? '').trim().toUpperCase() === 'YES';
}

export interface PixelRiskInput {
  sopClassUid: string;
  modality?: string;
  burnedInAnnotation?: string;
  /** ImageType values, in order. */
  imageType: readonly string[];
}

/**
 * - BurnedInAnnotation YES: the file says so.
 * - Secondary Capture (any SC SOP class), whatever it declares: screenshots and
 *   scanned documents carry text more often than not, and the flag is set by
 *   the capturing software, not by whoever looked.
 * - CR and DX (by SOP class or modality) that do not declare
 *   BurnedInAnnotation and are not ORIGINAL images: derived or unlabelled
 *   radiographs are where sites burn in names and markers. An ORIGINAL
 *   radiograph without the flag passes (in DX the flag is Type 1, in CR Type 3;
 *   real CR archives rarely carry it).
 */
export function pixelReviewReasons(input: PixelRiskInput): PixelReviewReason[] {
  const reasons: PixelReviewReason[] = [];
  if (declaresBurnedInAnnotation(input.burnedInAnnotation)) reasons.push('burned-in-annotation');
  const undeclared = (input.burnedInAnnotation ?? '').trim() === '';
  const sop = input.sopClassUid;
  if (sop === SECONDARY_CAPTURE || sop.startsWith(`${SECONDARY_CAPTURE}.`)) reasons.push('secondary-capture');
  const radiograph = sop === CR || sop.startsWith(DX_FAMILY) || ['CR', 'DX'].includes((input.modality ?? '').trim().toUpperCase());
  const original = (input.imageType[0] ?? '').trim().toUpperCase() === 'ORIGINAL';
  if (radiograph && undeclared && !original) reasons.push('radiograph-not-declared-clean');
  return reasons;
}

/** The radiograph family of an instance, from hilum's fixed vocabulary (never the file's own text). */
function radiographKind(input: PixelRiskInput): 'CR' | 'DX' | undefined {
  if (input.sopClassUid === CR) return 'CR';
  if (input.sopClassUid.startsWith(DX_FAMILY)) return 'DX';
  const modality = (input.modality ?? '').trim().toUpperCase();
  return modality === 'CR' || modality === 'DX' ? modality : undefined;
}

/**
 * One value-free sentence per trigger, for a quarantine reason or a site's QA report: attribute
 * keywords and what about them triggered review, never their values. A new reason must say
 * itself here (the record is exhaustive).
 */
const EXPLAIN: Readonly<Record<PixelReviewReason, (input: PixelRiskInput | undefined) => string>> = {
  'burned-in-annotation': () => 'BurnedInAnnotation is YES: the file declares text burned into the pixels',
  'secondary-capture': () =>
    'Secondary Capture SOP class: screenshots and scanned documents usually carry burned-in text, whatever BurnedInAnnotation says',
  'radiograph-not-declared-clean': (input) => {
    const kind = input && radiographKind(input);
    const imageType = input && input.imageType.length === 0 ? 'ImageType absent' : 'ImageType not ORIGINAL';
    return `radiograph${kind ? ` (${kind})` : ''} not declared free of burned-in text: BurnedInAnnotation absent, ${imageType}`;
  },
  'text-in-pixels': () => 'text burned into the pixels was found by OCR (a name, date or ID-like token): its boxes are recorded for review',
  'ocr-timeout': () => 'the pixels could not be checked for burned-in text within the time budget: held rather than passed',
  'ocr-failed': () => 'the pixels could not be rendered for the burned-in text check: held rather than passed',
  'clean-pixel-data-refused': () =>
    "the device's layout burns in identifying text, but its pixels could not be cleaned (palette, bit-packed or undecodable): held rather than passed",
};

/** Why each trigger fired, value-free; `input` (the instance's risk attributes) adds detail when known. */
export function describePixelReview(reasons: readonly PixelReviewReason[], input?: PixelRiskInput): string[] {
  return reasons.map((reason) => EXPLAIN[reason](input));
}
