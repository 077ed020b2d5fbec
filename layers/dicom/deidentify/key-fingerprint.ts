import { toHex } from '../../common/bytes';
import { hmacSha256 } from '../../common/digest';
import type { ProjectKey } from './remap-uid';

/**
 * A short keyed digest naming which project secret de-identified a file, written
 * as a second value of De-identification Method. It reveals nothing of the
 * secret, and lets the commons refuse files a site de-identified with the wrong
 * one (their pseudonyms and UIDs would not match the project's).
 */
export function keyFingerprint(keys: ProjectKey): string {
  return toHex(hmacSha256(keys.secret, `hilum-key-fingerprint\0${keys.project}`))
    .slice(0, 12)
    .toUpperCase();
}

export const KEY_FINGERPRINT_PREFIX = 'hilum key ';
