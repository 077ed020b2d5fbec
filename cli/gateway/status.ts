import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadUploadState } from '../lib/upload-state';
import { readJournal, studyOfBatch } from './journal';
import { Spool } from './spool';

/** What a gateway's spool holds and what became of what it sent, per study and per submission. */
export interface SpoolStatus {
  readonly spool: string;
  /** Studies still receiving (or waiting out the quiet period). */
  readonly receiving: readonly { readonly study: string; readonly instances: number; readonly lastReceivedAt: string }[];
  /** Studies taken for upload and not yet sent: in progress, or failed and retried. */
  readonly uploading: readonly {
    readonly study: string;
    readonly instances: number;
    readonly submissionId?: string;
    readonly filesUploaded?: number;
    readonly lastFailure?: { readonly at: string; readonly error: string; readonly attempts: number };
  }[];
  /** Every submission sent, newest last, with the pipeline's verdict once it came. */
  readonly submissions: readonly {
    readonly submissionId: string;
    readonly study: string;
    readonly instances: number;
    readonly sentAt: string;
    readonly verdict?: {
      readonly at: string;
      readonly staged: number;
      readonly quarantined: number;
      readonly reasons: Readonly<Record<string, number>>;
    };
  }[];
  /** Instances the de-identifier could not read, kept in `held/` for a person. */
  readonly held: number;
}

/** Reads a spool without changing it (a running gateway may be using it). */
export async function spoolStatus(spoolDir: string): Promise<SpoolStatus> {
  const journal = await readJournal(spoolDir);
  const receiving = (await exists(join(spoolDir, 'studies'))) ? await new Spool(spoolDir).studies() : [];
  const uploading: SpoolStatus['uploading'][number][] = [];
  for (const batch of await entries(join(spoolDir, 'uploading'))) {
    const folder = join(spoolDir, 'uploading', batch);
    const instances = (await entries(folder)).filter((f) => f.endsWith('.dcm')).length;
    const state = await loadUploadState(join(folder, '.hilum-upload.json')).catch(() => undefined);
    const failures = journal.filter((e) => e.event === 'failed' && e.batch === batch);
    const last = failures.at(-1);
    uploading.push({
      study: studyOfBatch(batch),
      instances,
      ...(state
        ? { submissionId: state.submissionId, filesUploaded: Object.values(state.files).filter((f) => f.status === 'uploaded').length }
        : {}),
      ...(last?.event === 'failed' ? { lastFailure: { at: last.at, error: last.error, attempts: failures.length } } : {}),
    });
  }
  // A gateway killed between recording a study as sent and removing its folder sends it again on
  // restart (the upload resumes into the same submission): one line per submission.
  const seen = new Set<string>();
  const submissions = journal.flatMap((entry) => {
    if (entry.event !== 'sent' || seen.has(entry.submissionId)) return [];
    seen.add(entry.submissionId);
    const verdict = journal.filter((e) => e.event === 'verdict' && e.submissionId === entry.submissionId).at(-1);
    return [
      {
        submissionId: entry.submissionId,
        study: entry.study,
        instances: entry.instances,
        sentAt: entry.at,
        ...(verdict?.event === 'verdict'
          ? { verdict: { at: verdict.at, staged: verdict.staged, quarantined: verdict.quarantined, reasons: verdict.reasons } }
          : {}),
      },
    ];
  });
  return {
    spool: spoolDir,
    receiving: receiving.map((s) => ({ study: s.key, instances: s.instances, lastReceivedAt: new Date(s.lastReceivedMs).toISOString() })),
    uploading,
    submissions,
    held: (await entries(join(spoolDir, 'held'))).length,
  };
}

const short = (study: string) => `study ${study.slice(0, 12)}`;

/** The status as a person reads it: one section per state, one line per study or submission. */
export function statusLines(status: SpoolStatus): string[] {
  const lines = [`spool ${status.spool}`];
  lines.push(`receiving: ${status.receiving.length} ${plural(status.receiving.length, 'study', 'studies')}`);
  for (const s of status.receiving) lines.push(`  ${short(s.study)}: ${s.instances} instance(s), last received ${s.lastReceivedAt}`);
  lines.push(`uploading or failed (retried every few seconds and after a restart): ${status.uploading.length}`);
  for (const u of status.uploading) {
    const progress = u.submissionId ? `, submission ${u.submissionId}, ${u.filesUploaded ?? 0} of ${u.instances} sent` : '';
    const failure = u.lastFailure ? `; failed ${u.lastFailure.attempts} time(s), last at ${u.lastFailure.at}: ${u.lastFailure.error}` : '';
    lines.push(`  ${short(u.study)}: ${u.instances} instance(s)${progress}${failure}`);
  }
  lines.push(`sent: ${status.submissions.length} ${plural(status.submissions.length, 'submission', 'submissions')}`);
  for (const s of status.submissions) {
    const head = `  submission ${s.submissionId} (${short(s.study)}, ${s.instances} instance(s), sent ${s.sentAt})`;
    if (!s.verdict) lines.push(`${head}: waiting for the pipeline's verdict`);
    else if (s.verdict.quarantined === 0) lines.push(`${head}: published, ${s.verdict.staged} staged, none quarantined`);
    else {
      lines.push(`${head}: published with ${s.verdict.quarantined} of ${s.verdict.staged + s.verdict.quarantined} quarantined:`);
      for (const [reason, count] of Object.entries(s.verdict.reasons)) lines.push(`    ${count} x ${reason}`);
    }
  }
  if (status.held > 0)
    lines.push(`held back: ${status.held} instance(s) the de-identifier could not read, in ${join(status.spool, 'held')}`);
  return lines;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

async function entries(folder: string): Promise<string[]> {
  return readdir(folder).then(
    (names) => names.filter((n) => !n.startsWith('.')).sort(),
    () => [],
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
