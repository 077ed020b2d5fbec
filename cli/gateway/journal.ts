import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reasonText, type SubmissionOutcome } from '../lib/submission-outcome';

/**
 * What the gateway did with each study, one JSON line per event in `<spool>/journal.jsonl`:
 * the spool folders say what is still here, the journal what left and what became of it, so
 * `hilum gateway status` can answer after the study folder is gone and after a restart.
 * Study keys are hashes of the Study Instance UID, reasons the pipeline's value-free ones.
 */
export type JournalEntry =
  | {
      readonly event: 'sent';
      readonly at: string;
      readonly study: string;
      readonly instances: number;
      readonly submissionId: string;
    }
  | {
      readonly event: 'failed';
      readonly at: string;
      readonly study: string;
      /** The folder in `uploading/` that is retried. */
      readonly batch: string;
      readonly instances: number;
      readonly error: string;
    }
  | {
      readonly event: 'verdict';
      readonly at: string;
      readonly submissionId: string;
      readonly staged: number;
      readonly quarantined: number;
      /** Each quarantine reason (`rule: message`, value-free) with how many instances it held. */
      readonly reasons: Readonly<Record<string, number>>;
    };

const JOURNAL = 'journal.jsonl';

export async function appendJournal(spoolDir: string, entry: JournalEntry): Promise<void> {
  await mkdir(spoolDir, { recursive: true });
  // Each entry starts a line of its own: after a line a crash cut short, the next is still whole.
  await appendFile(join(spoolDir, JOURNAL), `\n${JSON.stringify(entry)}`);
}

/** The journal's entries in order; a line a crash cut short is left out. */
export async function readJournal(spoolDir: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(join(spoolDir, JOURNAL), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // A line a crash cut short.
    }
  }
  return entries;
}

/** The journal entry of a pipeline verdict: counts, and each quarantine reason with its count. */
export function verdictEntry(submissionId: string, submission: SubmissionOutcome, at = new Date()): JournalEntry {
  const reasons: Record<string, number> = {};
  for (const file of submission.files) {
    if (file.status !== 'quarantined') continue;
    const reason = reasonText(file);
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  return {
    event: 'verdict',
    at: at.toISOString(),
    submissionId,
    staged: submission.stagedCount,
    quarantined: submission.quarantinedCount,
    reasons,
  };
}

/** The study key of a folder in `uploading/` (`<study key>-<time taken>`). */
export function studyOfBatch(batch: string): string {
  return batch.split('-')[0] ?? batch;
}
