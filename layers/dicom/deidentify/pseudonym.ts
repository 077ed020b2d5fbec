import { toHex } from '../../common/bytes';
import { hmacSha256 } from '../../common/digest';
import type { KeyOptions } from './remap-uid';

/**
 * A keyed pseudonym for a patient: "HILUM-" + 16 hex digits (64 bits, so
 * collisions stay negligible at millions of patients). A distinct label keeps
 * it unrelated to the UID remapping of the same string. Keyed by project and by
 * the site that issued the patient id: the same PatientID at two sites is two
 * patients here (linking them is the linkage tokens' job, not the pseudonym's).
 */
export function patientPseudonym(patientKey: string, options: KeyOptions): string {
  const digest = toHex(hmacSha256(options.secret, `patient\0${patientScope(options)}\0${patientKey}`));
  return `HILUM-${digest.slice(0, 16).toUpperCase()}`;
}

/**
 * Project and issuing site, as every per-patient keyed value (pseudonym, date
 * shift) is scoped. A missing site is refused: keying without it would silently
 * merge the patients of every site that reuses an id.
 */
export function patientScope(options: KeyOptions): string {
  if (typeof options.site !== 'string' || options.site === '')
    throw new TypeError('a de-identification key needs the site that issued the patient ids');
  return `${options.project}\0${options.site}`;
}
