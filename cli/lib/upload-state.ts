import { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
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
  /** The last journal line the snapshot holds (absent: none); an earlier version ignores it, as any unknown key. */
  journaled: z.number().int().nonnegative().optional(),
});

/**
 * One line of the journal beside the state file (`<state>.journal`): a file's whole entry as it now is,
 * numbered. Rewriting the whole state after every file made a 1,000-file folder write about 126 MB of
 * JSON (1.8 ms of CPU per file at the end); a line is about 150 bytes whatever the folder's size. The
 * snapshot is rewritten (and the journal emptied) when the run starts, after each announcement, at
 * the seal and at the end of a run.
 */
const journalLine = z.object({ seq: z.number().int().positive(), file: z.string(), entry: fileState });

export type FileUploadState = z.infer<typeof fileState>;
export type UploadState = z.infer<typeof uploadState>;

export class UploadStateError extends Error {
  override readonly name = 'UploadStateError';
}

export const journalPathOf = (statePath: string): string => `${statePath}.journal`;

/** The state as the snapshot and the journal's later lines make it (undefined: no state file). Reads only. */
export async function loadUploadState(path: string): Promise<UploadState | undefined> {
  const text = await readIfThere(path);
  if (text === undefined) return undefined;
  let state: UploadState;
  try {
    state = uploadState.parse(JSON.parse(text));
  } catch {
    throw new UploadStateError(`the upload state file ${path} is not readable; move it away to start a new submission`);
  }
  const journal = await readIfThere(journalPathOf(path));
  if (journal) applyJournal(state, journal, path);
  return state;
}

/**
 * Applies the journal's lines the snapshot does not hold yet. A last line cut short (the machine stopped in
 * the middle of writing it) is left out: the file it names is then asked about again (`renew` answers that
 * it arrived), never sent twice. Any other unreadable line makes the state unreadable.
 */
function applyJournal(state: UploadState, journal: string, path: string): void {
  const lines = journal.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line === '') continue;
    let parsed: z.infer<typeof journalLine>;
    try {
      parsed = journalLine.parse(JSON.parse(line));
    } catch {
      if (lines.slice(index + 1).every((rest) => rest === '')) break;
      throw new UploadStateError(`the upload state file ${path} is not readable; move it away to start a new submission`);
    }
    if (parsed.seq <= (state.journaled ?? 0)) continue;
    state.files[parsed.file] = parsed.entry;
    state.journaled = parsed.seq;
  }
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes the state atomically (temporary file, then rename): a kill never leaves half a file. Then empties
 * the journal, whose lines the snapshot now holds (a kill in between leaves lines `journaled` skips).
 */
export async function saveUploadState(path: string, state: UploadState): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(temporary, JSON.stringify(state, null, 1));
  await rename(temporary, path);
  await rm(journalPathOf(path), { force: true });
}

/**
 * The state of a running upload, kept on disk: `record` a file's entry after it changed (one journal line),
 * `snapshot` the whole state. Every write runs after the one before, in the order asked; each resolves once
 * it is on disk.
 */
export class UploadStateStore {
  private chain: Promise<void> = Promise.resolve();
  private journal: FileHandle | undefined;
  /** Lines were written since the last snapshot. */
  private journaledSinceSnapshot = false;

  constructor(
    private readonly path: string,
    private readonly state: UploadState,
  ) {}

  record(relativePath: string): Promise<void> {
    return this.queue(async () => {
      const entry = this.state.files[relativePath];
      if (!entry) return;
      const seq = (this.state.journaled ?? 0) + 1;
      this.journal ??= await open(journalPathOf(this.path), 'a');
      await this.journal.write(`${JSON.stringify({ seq, file: relativePath, entry })}\n`);
      this.state.journaled = seq;
      this.journaledSinceSnapshot = true;
    });
  }

  snapshot(): Promise<void> {
    return this.queue(async () => {
      await this.closeJournal();
      await saveUploadState(this.path, this.state);
      this.journaledSinceSnapshot = false;
    });
  }

  /** At the end of a run: the snapshot, when lines were written since the last one. */
  close(): Promise<void> {
    return this.queue(async () => {
      await this.closeJournal();
      if (this.journaledSinceSnapshot) await saveUploadState(this.path, this.state);
      this.journaledSinceSnapshot = false;
    });
  }

  private async closeJournal(): Promise<void> {
    const journal = this.journal;
    this.journal = undefined;
    await journal?.close();
  }

  private queue(write: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(write, write);
    return this.chain;
  }
}
