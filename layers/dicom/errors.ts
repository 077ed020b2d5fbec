/**
 * Anything that is not a readable DICOM Part 10 instance. The message names
 * tags, keywords and byte counts only, never a value, so it is safe to log and
 * to store as a quarantine reason. `name` is matched by workflow Catch rules.
 */
export class DicomParseError extends Error {
  override readonly name: string = 'DicomParseError';
}

/**
 * A deflated data set that would inflate beyond its limit (a decompression bomb,
 * or a file larger than the project takes). A DicomParseError, so every reader
 * that handles unreadable input handles it, with its own name for Catch rules
 * and curators. The message gives byte counts only.
 */
export class InflationLimitExceeded extends DicomParseError {
  override readonly name: string = 'InflationLimitExceeded';
}

/**
 * De-identifying one file took longer than its time budget (a crafted file
 * that makes the text cleaner work hard). A DicomParseError, so every reader
 * that holds back unusable input holds this file back too, under its own name.
 * The message names no value.
 */
export class DeidentificationTimeout extends DicomParseError {
  override readonly name: string = 'DeidentificationTimeout';
}
