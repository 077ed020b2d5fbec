import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_PROFILE, parseProfileJson, ProfileError, type DeidProfile } from '../../layers/dicom';
import { UsageError } from '../command';

/** The de-identification profile named by `--profile` (default: the MIDRC profile); a bad file is a usage error naming the field. */
export function loadProfileFile(path: string | undefined): DeidProfile {
  if (path === undefined) return DEFAULT_PROFILE;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the profile file ${basename(path)}`);
  }
  try {
    return parseProfileJson(text, `profile ${basename(path)}`);
  } catch (error) {
    if (error instanceof ProfileError) throw new UsageError(error.message);
    throw error;
  }
}
