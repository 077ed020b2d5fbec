/**
 * The Clean Pixel Data Option in the Deidentify step (issue 18; docs/deidentification.md, "Clean Pixel
 * Data"), for a project that enables it (QA configuration `cleanPixelData`). An original whose device
 * matches a tabled layout has the layout's regions blanked in its de-identified copy, which records 113101.
 *
 * What cleaning does to the pixel-review hold: the regions are where the device writes its text, so a
 * cleaned image is held on header evidence (BurnedInAnnotation, its SOP class) only until the OCR check
 * says otherwise. The check reads the original (its identifiers are what the words are compared with) and
 * every box wholly inside a blanked region is dropped, since that text is gone from the copy; a box that
 * reaches outside a region keeps the image held (part of its text survives). A cleaned image is OCR-checked
 * whatever the project's at-risk lists say, unless the project turned the check off: then there is no word
 * to lift the header evidence with, and the image is held as it would be without cleaning.
 *
 * Pure (no AWS, no I/O).
 */
import {
  cleanPixelData,
  CleanPixelDataRefused,
  DicomParseError,
  layoutAttributesOf,
  layoutFor,
  PixelDataError,
  type CleanRegion,
} from '../dicom';
import type { BurnedInTextCheck, BurnedInTextPolicy, TextRegion } from './burned-in';

export type PixelCleaning =
  /** The copy with the layout's regions blanked and 113101 recorded. */
  | { readonly status: 'cleaned'; readonly layout: string; readonly regions: readonly CleanRegion[]; readonly bytes: Uint8Array }
  /** The device's layout is tabled, but these pixels cannot be blanked (palette, bit-packed, undecodable). */
  | { readonly status: 'refused'; readonly layout: string }
  | { readonly status: 'no-known-layout' };

/** Blanks `deidentified` by the layout the `original`'s header matches (the original: de-identification may clean the descriptors matched on). */
export async function cleanTabledLayout(original: Uint8Array, deidentified: Uint8Array): Promise<PixelCleaning> {
  const layout = layoutFor(layoutAttributesOf(original));
  if (!layout) return { status: 'no-known-layout' };
  try {
    const result = await cleanPixelData(original, deidentified, [layout]);
    if (result.status !== 'cleaned') return { status: 'no-known-layout' }; // never: the layout matched above
    return { status: 'cleaned', layout: layout.id, regions: layout.regions, bytes: result.bytes };
  } catch (error) {
    if (error instanceof CleanPixelDataRefused || error instanceof PixelDataError || error instanceof DicomParseError) {
      return { status: 'refused', layout: layout.id };
    }
    throw error;
  }
}

/** True when the box lies wholly inside one of the regions. */
export function insideBlankedRegion(box: Pick<TextRegion, 'x' | 'y' | 'width' | 'height'>, regions: readonly CleanRegion[]): boolean {
  return regions.some(([rx, ry, rw, rh]) => box.x >= rx && box.y >= ry && box.x + box.width <= rx + rw && box.y + box.height <= ry + rh);
}

/**
 * The OCR check of an original, read for its cleaned copy: text found wholly inside the blanked regions no
 * longer counts; an image whose every box was there is clear. A check that could not finish stays held.
 */
export function textLeftAfterCleaning(check: BurnedInTextCheck, regions: readonly CleanRegion[]): BurnedInTextCheck {
  if (check.status !== 'held' || check.reason !== 'text-in-pixels') return check;
  const left = check.regions.filter((box) => !insideBlankedRegion(box, regions));
  return left.length > 0 ? { ...check, regions: left } : { status: 'clear', ms: check.ms };
}

/** The project's OCR policy widened to this image: a cleaned image is checked whatever its SOP class, modality or ImageType. */
export function policyForCleanedImage(policy: BurnedInTextPolicy, sopClassUid: string): BurnedInTextPolicy {
  return sopClassUid === '' ? policy : { ...policy, sopClasses: [...policy.sopClasses, sopClassUid] };
}
