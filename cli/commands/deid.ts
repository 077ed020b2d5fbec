import { type DeidProfile } from '../../layers/dicom';
import { loadProfileFile } from '../lib/profile-file';
import type { Worker } from 'node:worker_threads';
import { Command, integerOption, stringOption, UsageError, type ParsedArgs } from '../command';
import { runDeidBatch, REPORT_NAME, REVIEW_FOLDER, type DeidBatchSummary } from '../lib/deid-batch';
import { writeStdout } from '../lib/closed-stdout';
import { readDeidSecret } from '../lib/deid-secret';
import { formatBytes, formatDuration, ProgressBar } from '../lib/progress';

function printSummary(summary: DeidBatchSummary, profile: DeidProfile): void {
  const rate =
    summary.seconds > 0
      ? ` (${(summary.files / summary.seconds).toFixed(1)} files/s, ${formatBytes(summary.bytesIn / summary.seconds)}/s)`
      : '';
  const lines = [
    `hilum deid: ${summary.files} files, ${formatBytes(summary.bytesIn)} in, ${formatBytes(summary.bytesOut)} out, ${formatDuration(summary.seconds)}${rate}, profile ${profile.name}, ${summary.jobs} job(s)`,
    `  ok: ${summary.outcomes.ok}`,
    `  needs-pixel-review: ${summary.outcomes['needs-pixel-review']}${summary.outcomes['needs-pixel-review'] ? ` (written under ${REVIEW_FOLDER}/: check the pixels for burned-in text before release)` : ''}`,
    `  failed: ${summary.outcomes.failed}`,
    ...summary.failures.map((failure) => `    ${failure.relativePath}: ${failure.reason}`),
    `  report: ${summary.reportPath}`,
  ];
  writeStdout(`${lines.join('\n')}\n`);
}

export const deidCommand: Command = {
  name: 'deid',
  summary: 'de-identify DICOM files locally (PS3.15 Annex E profile, keyed)',
  usage: `Usage: hilum deid <input file or folder> <output folder> [--profile FILE] [--secret-file FILE] [--project NAME] [--site NAME] [--jobs N] [--json | --quiet]

De-identifies every file under the input (recursively) into the output folder,
keeping relative paths, with the same engine the commons' pipeline uses: the
PS3.15 Annex E table under a profile (default: MIDRC = Basic + Retain Patient
Characteristics + Modified Dates + Clean Descriptors), keyed pseudonyms, UIDs
and date shifts, pixel data byte-identical.

Files whose pixels may carry burned-in text go under <output>/${REVIEW_FOLDER}/.
Unreadable or non-DICOM files are listed with their reason and do not stop the
run. ${REPORT_NAME} in the output folder holds the counts (never values).
The exit code is 1 when any file failed.

  --profile FILE      a profile JSON file (see docs/deidentification.md); default midrc
  --secret-file FILE  the key (or set HILUM_DEID_SECRET); never on the command line.
                      Make one with: openssl rand -hex 32 > secret.key
  --project NAME      keys pseudonyms, UIDs and dates per project (default: local)
  --site NAME         the site that issued the PatientIDs: keys pseudonyms and dates
                      per site, as the commons does with the submission's site (default: local)
  --jobs N            files at a time: the main thread and N-1 worker threads
                      (default: all cores; a small batch runs on the main thread alone)
  --json              print the summary as one JSON document (and nothing else) on stdout
  --quiet             print only the failures (no progress, no summary)`,
  options: {
    profile: { type: 'string' },
    'secret-file': { type: 'string' },
    project: { type: 'string' },
    site: { type: 'string' },
    jobs: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
  allowPositionals: true,
  run: (args) => deid(args),
};

/** The command, given worker threads already starting when the caller has some (cli/bin/hilum.js: see runDeidBatch). */
export async function deid(args: ParsedArgs, startedWorkers: readonly Worker[] = []): Promise<number> {
  const [input, output, ...extra] = args.positionals;
  if (!input || !output || extra.length) throw new UsageError('expected an input file or folder and an output folder');
  const profile = loadProfileFile(stringOption(args, 'profile'));
  const secret = readDeidSecret(stringOption(args, 'secret-file'));
  const jobs = integerOption(args, 'jobs', 0);
  const json = args.values.json === true;
  const quiet = json || args.values.quiet === true;
  let progress: ProgressBar | undefined;
  const summary = await runDeidBatch({
    input,
    output,
    profile,
    secret,
    project: stringOption(args, 'project') ?? 'local',
    site: stringOption(args, 'site') ?? 'local',
    jobs,
    // HILUM_DEID_JIT=1 keeps V8's optimizing compiler (see deid-batch.ts).
    withoutOptimizingCompiler: process.env.HILUM_DEID_JIT !== '1',
    onStart: (files) => {
      progress = new ProgressBar({
        label: 'deid',
        totalItems: files.length,
        totalBytes: files.reduce((n, f) => n + f.size, 0),
        quiet,
      });
    },
    onFile: (file) => progress?.tick(1, file.size),
    startedWorkers,
  });
  progress?.done();
  if (json) writeStdout(`${JSON.stringify({ ...summary, profile: profile.name })}\n`);
  else if (quiet) for (const failure of summary.failures) console.error(`failed ${failure.relativePath}: ${failure.reason}`);
  else printSummary(summary, profile);
  return summary.outcomes.failed > 0 ? 1 : 0;
}
