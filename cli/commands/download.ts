import { relative, resolve } from 'node:path';
import { EXIT } from '../exit-codes';
import { byteSizeOption, Command, existingInput, integerOption, stringOption, UsageError } from '../command';
import { sameCommand, sayHowToResumeOnCtrlC } from '../lib/interrupt';
import { stat } from 'node:fs/promises';
import { connect } from '../lib/connection';
import { downloadAll, targetPath } from '../lib/resumable-download';
import { ManifestError, readManifest } from '../lib/download-manifest';
import { formatBytes, ProgressBar } from '../lib/progress';

export const downloadCommand: Command = {
  name: 'download',
  summary: 'download the objects of a cohort manifest (parallel, resumable, verified)',
  usage: `Usage: hilum download MANIFEST [--out DIR] [--jobs N] [--max-rate RATE] [--dry-run] [--json | --quiet]

Downloads every object of a cohort manifest (JSON or CSV, from
GET /cohorts/{id}/manifest) through the commons' GA4GH DRS endpoints into
DIR/<study>/<series>/<sop>.dcm, and checks each file's SHA-256 against the manifest.
Run it again after an interruption: complete files are kept (after their size and
SHA-256 are checked), partial ones (.part) continue where they stopped, expired
URLs are requested again. Exit code 1 when any object failed; they are listed.

  --out DIR            where to write (default: the current directory)
  --jobs N             objects downloaded in parallel (default 4)
  --max-rate RATE      cap the download rate, bytes per second with an optional unit
                       (500k, 1M, 2G: binary multiples)
  --dry-run            say what would be downloaded (and what is there already), fetch nothing
  --json               print one JSON document with the outcome (and nothing else) on stdout
  --quiet              print only warnings and errors (no progress, no summary)
  --api URL            the hilum API (default HILUM_API_URL or http://127.0.0.1:3000)
  --token-file FILE    a file holding the bearer token (default: HILUM_TOKEN)`,
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    jobs: { type: 'string' },
    'max-rate': { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    api: { type: 'string' },
    'token-file': { type: 'string' },
  },
  async run(args) {
    const [manifestPath, ...extra] = args.positionals;
    if (!manifestPath || extra.length) throw new UsageError('give exactly one MANIFEST (JSON or CSV)');
    const jobs = integerOption(args, 'jobs', 4);
    if (jobs < 1) throw new UsageError('--jobs must be at least 1');
    const maxRate = byteSizeOption(args, 'max-rate') || undefined;
    const json = args.values.json === true;
    const quiet = json || args.values.quiet === true;
    const manifestFile = await existingInput(manifestPath, 'MANIFEST');
    const { api } = await connect({ api: stringOption(args, 'api'), tokenFile: stringOption(args, 'token-file') });
    let objects;
    try {
      objects = await readManifest(manifestFile);
    } catch (error) {
      if (error instanceof ManifestError) throw new UsageError(error.message);
      throw error;
    }
    const outDir = resolve(stringOption(args, 'out') ?? '.');
    const totalBytes = objects.reduce((sum, o) => sum + o.size, 0);
    if (args.values['dry-run']) {
      // Present with the manifest's size: kept after its SHA-256 is checked on the real run.
      const present = await Promise.all(
        objects.map((o) =>
          stat(targetPath(outDir, o)).then(
            (s) => s.size === o.size,
            () => false,
          ),
        ),
      );
      const missing = objects.filter((_, i) => !present[i]);
      const bytes = missing.reduce((sum, o) => sum + o.size, 0);
      if (json) console.log(JSON.stringify({ dryRun: true, objects: objects.length, toDownload: missing.length, bytes, outDir }));
      else if (!quiet)
        console.log(
          `dry run: ${missing.length} of ${objects.length} objects to download (${formatBytes(bytes)}) into ${outDir}; ${objects.length - missing.length} there already; nothing fetched`,
        );
      return EXIT.ok;
    }
    const progress = new ProgressBar({ label: 'download', totalItems: objects.length, totalBytes, quiet });
    const started = Date.now();
    const stopListening = sayHowToResumeOnCtrlC(
      () =>
        `hilum download: interrupted; finished files are kept and partial ones (.part) continue. Run the same command to resume: ${sameCommand()}`,
    );
    const summary = await downloadAll({
      api,
      objects,
      outDir,
      jobs,
      maxBytesPerSecond: maxRate,
      onBytes: (n) => progress.tick(0, n),
      // A .part from the interrupted run fills the bar; like files already there, it is left out of the rate and ETA.
      onResumedBytes: (n) => progress.skip(0, n),
      onObjectDone: (o, outcome) => (outcome === 'already-there' ? progress.skip(1, o.size) : progress.tick(1, 0)),
    });
    stopListening();
    progress.done();
    const seconds = (Date.now() - started) / 1000;
    if (json) console.log(JSON.stringify({ objects: objects.length, ...summary, seconds, outDir }));
    else if (!quiet)
      console.log(
        `${objects.length} objects: ${summary.downloaded} downloaded, ${summary.resumed} resumed, ${summary.alreadyThere} already there (verified), ${summary.failed.length} failed; ${formatBytes(summary.bytes)} in ${seconds.toFixed(1)} s (${formatBytes(summary.bytes / Math.max(seconds, 0.001))}/s)${summary.failed.length ? '; every file written checked against its SHA-256' : '; every file checked against its SHA-256'}`,
      );
    const byId = new Map(objects.map((o) => [o.objectId, o]));
    for (const f of summary.failed) {
      const object = byId.get(f.objectId);
      console.error(`failed ${object ? relative(outDir, targetPath(outDir, object)) : f.objectId}: ${f.reason}`);
    }
    if (summary.failed.length)
      console.error('hilum download: run the same command again to retry the failed objects (finished files are kept)');
    return summary.failed.length ? EXIT.failed : EXIT.ok;
  },
};
