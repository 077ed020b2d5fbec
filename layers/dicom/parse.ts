import { scanPart10 } from './part10';
import { summarize, type InstanceSummary } from './summary';

/**
 * Checks that the bytes are a complete Part 10 instance and summarises it.
 * Reads only the structure and a handful of header values, never decodes Pixel Data.
 */
export function parseDicom(bytes: Uint8Array): { summary: InstanceSummary } {
  return { summary: summarize(scanPart10(bytes)) };
}
