import { open } from 'node:fs/promises';
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
 */
export async function notDicomReason(file: FoundFile): Promise<string | undefined> {
  if (file.size < 132) return 'not a DICOM Part 10 file (too short)';
  const handle = await open(file.path, 'r');
  try {
    const prefix = Buffer.alloc(4);
    await handle.read(prefix, 0, 4, 128);
    return prefix.toString('latin1') === 'DICM' ? undefined : 'not a DICOM Part 10 file (no DICM prefix)';
  } finally {
    await handle.close();
  }
}

/** The Part 10 files of a scan, and the others with why. */
export async function partitionPart10(files: readonly FoundFile[]): Promise<{ dicom: FoundFile[]; skipped: SkippedFile[] }> {
  const dicom: FoundFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const reason = await notDicomReason(file);
    if (reason) skipped.push({ relativePath: file.relativePath, reason });
    else dicom.push(file);
  }
  return { dicom, skipped };
}
