import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * What an upload has done so far, kept beside the data so an interrupted run
 * resumes where it stopped: the submission, each file's id, and which files (and
 * which parts of large ones) the intake bucket already holds.
 */
const fileState = z.object({
  size: z.number().int().nonnegative(),
  fileId: z.string().uuid(),
  status: z.enum(['announced', 'uploaded']),
  uploadId: z.string().optional(),
  parts: z.record(z.string(), z.string()).optional(),
});

const uploadState = z.object({
  version: z.literal(1),
  apiUrl: z.string(),
  project: z.string(),
  site: z.string(),
  submissionId: z.string().uuid(),
  sealed: z.boolean(),
  files: z.record(z.string(), fileState),
});

export type FileUploadState = z.infer<typeof fileState>;
export type UploadState = z.infer<typeof uploadState>;

export class UploadStateError extends Error {
  override readonly name = 'UploadStateError';
}

export async function loadUploadState(path: string): Promise<UploadState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return uploadState.parse(JSON.parse(text));
  } catch {
    throw new UploadStateError(`the upload state file ${path} is not readable; move it away to start a new submission`);
  }
}

/** Writes the state atomically (temporary file, then rename): a kill never leaves half a file. */
export async function saveUploadState(path: string, state: UploadState): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(temporary, JSON.stringify(state, null, 1));
  await rename(temporary, path);
}
