import { scanPart10, type ScanOptions } from './part10';
import { summarize, type InstanceSummary } from './summary';

/**
 * Checks that the bytes are a complete Part 10 instance and summarises it.
 * Reads only the structure and a handful of header values, never decodes Pixel Data.
 * A deflated data set inflates within `options.inflation` (default: the ceiling).
 */
export function parseDicom(bytes: Uint8Array, options: ScanOptions = {}): { summary: InstanceSummary } {
  return { summary: summarize(scanPart10(bytes, options)) };
}
