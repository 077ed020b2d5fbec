import { closeSync, openSync, readSync } from 'node:fs';
import type { FoundFile } from './scan-files';

/** A file the CLI leaves out, with why (value-free). */
export interface SkippedFile {
  readonly relativePath: string;
  readonly reason: string;
}

/**
 * Why a file is not a DICOM Part 10 file (no `DICM` at byte 128), or undefined when it is one.
 * `hilum upload` never sends such a file (a folder's notes, thumbnails), so `hilum qa` leaves it
 * out the same way instead of calling it a quarantine: both read only these 4 bytes.
 * Blocking reads: for the batch commands, which wait for the answer anyway, an awaited open, read and
 * close were three trips through libuv's thread pool per file (200 CT slices: 40-190 ms against 5 ms).
 */
export function notDicomReason(file: FoundFile, prefix: Buffer = Buffer.alloc(4)): string | undefined {
  if (file.size < 132) return 'not a DICOM Part 10 file (too short)';
  const fd = openSync(file.path, 'r');
  try {
    const read = readSync(fd, prefix, 0, 4, 128);
    return read === 4 && prefix.toString('latin1', 0, 4) === 'DICM' ? undefined : 'not a DICOM Part 10 file (no DICM prefix)';
  } finally {
    closeSync(fd);
  }
}

/** The Part 10 files of a scan, and the others with why. */
export function partitionPart10(files: readonly FoundFile[]): { dicom: FoundFile[]; skipped: SkippedFile[] } {
  const dicom: FoundFile[] = [];
  const skipped: SkippedFile[] = [];
  const prefix = Buffer.alloc(4);
  for (const file of files) {
    const reason = notDicomReason(file, prefix);
    if (reason) skipped.push({ relativePath: file.relativePath, reason });
    else dicom.push(file);
  }
  return { dicom, skipped };
}
