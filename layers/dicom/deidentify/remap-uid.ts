import { toHex } from '../../common/bytes';
import { hmacSha256 } from '../../common/digest';
import type { DeidProfile } from '../profiles';
import { trimEndOf } from '../text/trim';

/** The keying of every pseudonym, UID and date shift. */
export interface KeyOptions {
  /** The project's HMAC key material. */
  secret: string;
  project: string;
  /**
   * The site that issued the patient ids (the submission's site): a PatientID means
   * one patient only at the site that assigned it, so pseudonyms and date shifts are
   * keyed by it too. UIDs and the key fingerprint are not (see docs/deidentification.md).
   */
  site: string;
}

/** What keys UIDs and the key fingerprint: the project's key, not the site (UIDs are globally unique). */
export type ProjectKey = Pick<KeyOptions, 'secret' | 'project'>;

export interface DeidentifyOptions extends KeyOptions {
  /** The profile to apply; default: the MIDRC profile (profiles/midrc.json). */
  profile?: DeidProfile;
}

/**
 * HMAC-SHA256(secret, project + '\0' + uid) -> "2.25." + the first 16 bytes as
 * an unsigned decimal (PS3.5 B.2 UUID-derived form, at most 44 characters).
 * The same UID maps to the same output within a project, and to a different one in another.
 */
export function remapUid(uid: string, options: ProjectKey): string {
  const clean = trimEndOf(uid, ' \0');
  const digest = hmacSha256(options.secret, `${options.project}\0${clean}`);
  return `2.25.${BigInt(`0x${toHex(digest.subarray(0, 16))}`).toString(10)}`;
}
