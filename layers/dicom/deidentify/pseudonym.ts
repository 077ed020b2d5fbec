import { createHmac } from 'node:crypto';
import type { KeyOptions } from './remap-uid';

/**
 * A keyed pseudonym for a patient: "HILUM-" + 16 hex digits (64 bits, so
 * collisions stay negligible at millions of patients). A distinct label keeps
 * it unrelated to the UID remapping of the same string.
 */
export function patientPseudonym(patientKey: string, options: KeyOptions): string {
  const digest = createHmac('sha256', options.secret).update(`patient\0${options.project}\0${patientKey}`, 'utf8').digest('hex');
  return `HILUM-${digest.slice(0, 16).toUpperCase()}`;
}
