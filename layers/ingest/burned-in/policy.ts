/**
 * Which images are OCR-checked for burned-in text, and how long each check may take: a
 * project's choice (QA configuration `burnedInText`), defaulting to radiographs (CR, DX),
 * secondary captures, and anything DERIVED or SECONDARY, where sites burn in names and dates.
 */
export interface BurnedInTextPolicy {
  /** Off: no image is OCR-checked (the header evidence alone decides). */
  readonly enabled: boolean;
  /** Modalities (0008,0060) checked whatever their SOP class. */
  readonly modalities: readonly string[];
  /** SOP Class UIDs checked, each also as a prefix of its family (`<uid>.`). */
  readonly sopClasses: readonly string[];
  /** ImageType (0008,0008) values that put any image at risk (DERIVED in value 1, SECONDARY in value 2). */
  readonly imageTypeValues: readonly string[];
  /**
   * Milliseconds of CPU time one image's check may spend (decode, render, OCR: the calling thread and
   * its OCR worker thread, see budget.ts; the OCR worker's start, once per process, is not counted);
   * beyond it, or beyond a wall-clock ceiling of four times as long and at least a minute, the image is
   * held as ocr-timeout.
   */
  readonly budgetMs: number;
  /** The rendered copy's longer side is downsampled to at most this many pixels before OCR. */
  readonly maxDimension: number;
}

export const DEFAULT_BURNED_IN_TEXT_POLICY: BurnedInTextPolicy = {
  enabled: true,
  modalities: ['CR', 'DX'],
  sopClasses: [
    '1.2.840.10008.5.1.4.1.1.1', // CR
    '1.2.840.10008.5.1.4.1.1.1.1', // DX family (for presentation/processing, mammography, intra-oral)
    '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture and its multi-frame family
  ],
  imageTypeValues: ['DERIVED', 'SECONDARY'],
  budgetMs: 8000,
  maxDimension: 2600,
};

export interface AtRiskInput {
  readonly sopClassUid: string;
  readonly modality?: string;
  readonly imageType: readonly string[];
}

const norm = (value: string | undefined): string => (value ?? '').trim().toUpperCase();

/** True when the policy says this image's pixels are OCR-checked. */
export function isAtRisk(input: AtRiskInput, policy: BurnedInTextPolicy): boolean {
  if (!policy.enabled) return false;
  const sop = input.sopClassUid.trim();
  if (policy.sopClasses.some((uid) => sop === uid || sop.startsWith(`${uid}.`))) return true;
  const modality = norm(input.modality);
  if (modality && policy.modalities.some((m) => norm(m) === modality)) return true;
  const types = input.imageType.map(norm);
  return policy.imageTypeValues.some((v) => types.includes(norm(v)));
}
