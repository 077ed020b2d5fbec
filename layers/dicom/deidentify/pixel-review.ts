/**
 * Which instances need a person to look at the pixels before release: pixel
 * data passes through unchanged, so text burned into it would be published.
 */
export type PixelReviewReason = 'burned-in-annotation' | 'secondary-capture' | 'radiograph-not-declared-clean';

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
