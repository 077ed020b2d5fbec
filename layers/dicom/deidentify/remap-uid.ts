import { createHmac } from 'node:crypto';
import type { DeidProfile } from '../profiles';
import { trimEndOf } from '../text/trim';

/** The keying of every pseudonym, UID and date shift. */
export interface KeyOptions {
  /** The project's HMAC key material. */
  secret: string;
  project: string;
}

export interface DeidentifyOptions extends KeyOptions {
  /** The profile to apply; default: the MIDRC profile (profiles/midrc.json). */
  profile?: DeidProfile;
}

/**
 * HMAC-SHA256(secret, project + '\0' + uid) -> "2.25." + the first 16 bytes as
 * an unsigned decimal (PS3.5 B.2 UUID-derived form, at most 44 characters).
 * The same UID maps to the same output within a project, and to a different one in another.
 */
export function remapUid(uid: string, options: KeyOptions): string {
  const clean = trimEndOf(uid, ' \0');
  const digest = createHmac('sha256', options.secret).update(`${options.project}\0${clean}`, 'utf8').digest();
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString(10)}`;
}
