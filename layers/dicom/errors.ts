/**
 * Anything that is not a readable DICOM Part 10 instance. The message names
 * tags, keywords and byte counts only, never a value, so it is safe to log and
 * to store as a quarantine reason. `name` is matched by workflow Catch rules.
 */
export class DicomParseError extends Error {
  override readonly name = 'DicomParseError';
}
