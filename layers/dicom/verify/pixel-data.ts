import { concatBytes } from '../../common/bytes';
import type { ScannedFile } from '../part10';
import { TAG } from '../tags';

/**
 * The pixel payload of the top-level Pixel Data: the value bytes when native,
 * the fragments joined when encapsulated. The Basic Offset Table is left out:
 * it indexes the frames and a writer may rebuild it (dcmjs writes one where the
 * input had none), without touching a pixel.
 */
export function pixelPayload(file: ScannedFile): { encapsulated: boolean; bytes: Uint8Array } | undefined {
  const element = file.elements.find((e) => e.depth === 0 && e.key === TAG.PixelData);
  if (!element) return undefined;
  const data = file.dataSet;
  if (!element.fragments) return { encapsulated: false, bytes: data.subarray(element.valueStart, element.valueEnd) };
  return { encapsulated: true, bytes: concatBytes(element.fragments.slice(1).map((f) => data.subarray(f.start, f.end))) };
}
