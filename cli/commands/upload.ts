import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { byteSizeOption, Command, existingInput, integerOption, stringOption, UsageError } from '../command';
import { sameCommand, sayHowToResumeOnCtrlC } from '../lib/interrupt';
import { connect } from '../lib/connection';
import { formatBytes, ProgressBar } from '../lib/progress';
import { scanFilesSync, FoundFile } from '../lib/scan-files';
import { partitionPart10 } from '../lib/part10-prefix';
import { uploadFiles } from '../lib/resumable-upload';
import { prepareClinicalDir, readLinkageTokens, shiftPreparedSheets } from '../lib/clinical-dir';
import { sendLinkageTokens } from '../lib/linkage-tokens-upload';
import { siteDeidSecret } from '../lib/deid-secret';
import { checkBeforeUpload, deidentifyForUpload, groupByStudy, loadProfileFile, loadQaConfigFile, type Held } from '../lib/site-prepare';
import { renderReportMarkdown } from '../../layers/qa';
import { EXIT } from '../exit-codes';
import { folderStateDir } from '../lib/state-dir';
import { journalPathOf, loadUploadState } from '../lib/upload-state';
import { localNames, nextSteps, quarantineLines, readPublished, warningSummary, withLocalNames } from '../lib/submission-outcome';
import { PollSchedule } from '../lib/follow-submission';

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const uploadCommand: Command = {
  name: 'upload',
  summary: 'upload a folder of DICOM files as one submission (resumable)',
  usage: `Usage: hilum upload FOLDER --project P --site S [--clinical cases.csv|DIR [--clinical-dates shifted]]
                    [--profile FILE] [--deid-at-site [--secret-file FILE]] [--no-qa] [--qa-config FILE] [--force]
                    [--check-jobs N] [--jobs N] [--state FILE] [--max-rate RATE] [--wait] [--dry-run] [--json | --quiet]

Scans FOLDER recursively, skips files that are not DICOM Part 10 (listing why),
groups the files by study, runs the commons' QA rules on them first and refuses
to upload if any file would be quarantined (unless --force), optionally
de-identifies them here with the project's profile and secret (so only
de-identified bytes leave the site), creates a submission, uploads every file
through presigned URLs (multipart for large files), sends the clinical data
sheet, and seals the submission. Progress is saved in a state file after every
file: run the same command again after an interruption and it resumes,
uploading nothing twice.

  --project P          the project the studies belong to
  --site S             your site (your token must hold site-uploader:S)
  --clinical FILE|DIR  the submission's cases.csv, or a folder of clinical sheets named by node
                       ({node}.csv, .tsv or .json; docs/clinical-dictionary.md), all checked
                       before anything is sent, dates turned into days here (keyed by your
                       patient IDs; the commons pseudonymizes them on arrival); with the
                       folder's linkage_tokens.csv from 'hilum link-tokens', sent in parts
                       of 1,000 cases (docs/linkage.md)
  --clinical-dates M   how the project keeps clinical dates (its settings.clinicalDates):
                       days_from_index (default) or shifted: the sheets carry date columns,
                       shifted with each patient's image date shift, here with --deid-at-site
                       (so no date leaves the site), else by the commons on arrival
  --deid-at-site       de-identify before upload (copies in the state directory, below)
  --profile FILE       the project's de-identification profile, for the QA check and
                       --deid-at-site (default: the MIDRC profile)
  --secret-file FILE   the project's de-identification secret (default: HILUM_DEID_SECRET, else
                       fetched from the commons for a site the project lists as a contributor)
  --no-qa              skip the QA check before upload
  --qa-config FILE     the project's QA configuration (default: CR, DX, CT in scope)
  --force              upload files the QA check or de-identification would hold back (the
                       check then runs beside the upload, in a worker thread, and reports when done)
  --check-jobs N       files checked in parallel before upload, on the main thread and worker
                       threads (default or 0: one per core; a small folder is checked on one)
  --jobs N             files uploaded in parallel (default 4)
  --state FILE         the state file (default: in $XDG_STATE_HOME/hilum, by default
                       ~/.local/state/hilum, keyed by FOLDER; one an earlier version left
                       in FOLDER/.hilum-upload.json is moved there and resumed)
  --max-rate RATE      cap the upload rate, bytes per second with an optional unit
                       (500k, 1M, 2G: binary multiples)
  --wait               wait for the pipeline and print the outcome of every file
                       (exit code 3 when any file was quarantined)
  --dry-run            scan and check, say what would be uploaded, send nothing
  --json               print one JSON document with the outcome (and nothing else) on stdout
  --quiet              print only warnings and errors (no progress, no summary)
  --api URL            the hilum API (default HILUM_API_URL or ${'http://127.0.0.1:3000'})
  --token-file FILE    a file holding the bearer token (default: HILUM_TOKEN)`,
  allowPositionals: true,
  options: {
    project: { type: 'string' },
    site: { type: 'string' },
    clinical: { type: 'string' },
    'clinical-dates': { type: 'string' },
    'deid-at-site': { type: 'boolean' },
    profile: { type: 'string' },
    'secret-file': { type: 'string' },
    'no-qa': { type: 'boolean' },
    'qa-config': { type: 'string' },
    force: { type: 'boolean' },
    'check-jobs': { type: 'string' },
    jobs: { type: 'string' },
    state: { type: 'string' },
    'max-rate': { type: 'string' },
    wait: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    api: { type: 'string' },
    'token-file': { type: 'string' },
  },
  async run(args) {
    const [folder, ...extra] = args.positionals;
    if (!folder || extra.length) throw new UsageError('give exactly one FOLDER');
    const project = stringOption(args, 'project');
    const site = stringOption(args, 'site');
    if (!project || !SLUG.test(project)) throw new UsageError('--project is required (lower-case letters, digits, dashes)');
    if (!site || !SLUG.test(site)) throw new UsageError('--site is required (lower-case letters, digits, dashes)');
    // Every option is checked before any work: a typo must not cost a scan and a QA run.
    const jobs = integerOption(args, 'jobs', 4);
    if (jobs < 1) throw new UsageError('--jobs must be at least 1');
    const checkJobs = integerOption(args, 'check-jobs', 0);
    const maxRate = byteSizeOption(args, 'max-rate') || undefined;
    const json = args.values.json === true;
    const quiet = json || args.values.quiet === true;
    const dryRun = args.values['dry-run'] === true;
    // Human lines go to stdout unless --quiet; with --json stdout holds the document alone.
    const say = quiet ? () => undefined : (line: string) => console.log(line);
    const root = await existingInput(folder, 'FOLDER');
    const { api, apiUrl } = await connect({ api: stringOption(args, 'api'), tokenFile: stringOption(args, 'token-file') });

    const { dicom, skipped } = partitionPart10(scanFilesSync(root));
    for (const s of skipped) console.error(`skipped ${s.relativePath}: ${s.reason}`);
    if (dicom.length === 0) {
      console.error(`hilum upload: no DICOM files in ${root}`);
      return EXIT.usage;
    }
    const sayStudies = (studies: ReadonlyMap<string, number>) =>
      say(
        `${dicom.length} DICOM files in ${studies.size} ${studies.size === 1 ? 'study' : 'studies'}: ${[...studies].map(([key, n]) => `${key} (${n})`).join(', ')}`,
      );
    const force = args.values.force === true;
    const clinical = stringOption(args, 'clinical');
    const clinicalIsDir = clinical ? (await stat(clinical).catch(() => undefined))?.isDirectory() === true : false;
    const clinicalDates = stringOption(args, 'clinical-dates') ?? 'days_from_index';
    if (clinicalDates !== 'days_from_index' && clinicalDates !== 'shifted')
      throw new UsageError("--clinical-dates is days_from_index or shifted (the project's settings.clinicalDates)");
    let sheets = clinical && clinicalIsDir ? await prepareClinicalDir(clinical, clinicalDates) : undefined;
    if (sheets) say(`clinical data: ${sheets.map((s) => `${s.node} (${s.records})`).join(', ')}`);
    const linkageTokens = clinical && clinicalIsDir ? await readLinkageTokens(clinical) : undefined;
    if (linkageTokens) say('linkage tokens: sent with the clinical sheets');
    const cases =
      clinical && !clinicalIsDir
        ? await readFile(clinical, 'utf8').catch(() => {
            throw new UsageError(`cannot read --clinical ${clinical}`);
          })
        : undefined;

    const deidAtSite = args.values['deid-at-site'] === true;
    // Read before any file is checked or sent: a wrong --qa-config or --profile stops the command with nothing sent.
    const qaConfig = args.values['no-qa'] ? undefined : await loadQaConfigFile(stringOption(args, 'qa-config'));
    const qaProfile = args.values['no-qa'] ? undefined : loadProfileFile(stringOption(args, 'profile'));
    // The check reads every file anyway: the grouping by study comes from that reading.
    const check = (lanes: number, progress: boolean, besideTheMainThread = false, signal?: AbortSignal) =>
      checkBeforeUpload(dicom, qaConfig!, qaProfile!, !progress, lanes, besideTheMainThread, signal);
    const sayChecked = (checked: Awaited<ReturnType<typeof check>>) => {
      sayStudies(checked.studies);
      say(
        `qa: ${checked.report.counts.pass} pass, ${checked.report.counts.warn} warn, ${checked.report.counts.quarantine} would be quarantined`,
      );
    };
    // With --force the check's verdict holds nothing back (the same files go, and the commons quarantines what it
    // would), so it runs beside the upload instead of before it, in one worker thread (the main thread sends the
    // files; the machine's other cores are the commons'), and its lines are printed once the upload is done; the first
    // file is sent at once. Without --force, or when the files sent are not the files checked (--deid-at-site) or
    // nothing is sent (--dry-run), it runs first.
    const beside = force && !dryRun && !deidAtSite && !args.values['no-qa'];
    // An upload that fails stops it: its error is shown at once, not after a verdict on files that were not sent.
    const stopCheckBeside = new AbortController();
    const checkBeside = beside ? check(2, false, true, stopCheckBeside.signal) : undefined;
    // Settled below, after the upload; until then a failure must not count as unhandled.
    checkBeside?.catch(() => undefined);
    if (args.values['no-qa']) sayStudies(await groupByStudy(dicom));
    else if (!beside) {
      const checked = await check(checkJobs, !quiet);
      sayChecked(checked);
      if (checked.held.length && !force) return refuse(checked.held);
    }
    if (dryRun) {
      const bytes = dicom.reduce((sum, f) => sum + f.size, 0);
      if (json) console.log(JSON.stringify({ dryRun: true, files: dicom.map((f) => f.relativePath), bytes, skipped }));
      else
        say(
          `dry run: would upload ${dicom.length} file(s), ${formatBytes(bytes)}${deidAtSite ? ', de-identified here first' : ''}; nothing sent`,
        );
      return EXIT.ok;
    }
    let toUpload: FoundFile[] = dicom;
    if (deidAtSite) {
      const { secret, from } = await siteDeidSecret(api, project, stringOption(args, 'secret-file'));
      say(`de-identifying with the key from ${from}`);
      // The clinical dates move with the images' own per-patient shift, here, before anything is sent.
      if (sheets && clinicalDates === 'shifted')
        sheets = shiftPreparedSheets(sheets, { secret, project, site }, loadProfileFile(stringOption(args, 'profile')));
      const deid = await deidentifyForUpload(dicom, {
        secret,
        project,
        site,
        profile: loadProfileFile(stringOption(args, 'profile')),
        outDir: join(folderStateDir(root), 'deid'),
      });
      say(`de-identified at the site: ${deid.files.length} files`);
      if (deid.held.length && !force) return refuse(deid.held);
      toUpload = deid.files;
    }

    const statePath = resolve(stringOption(args, 'state') ?? (await defaultStatePath(root, say)));
    const totalBytes = toUpload.reduce((sum, f) => sum + f.size, 0);
    const progress = new ProgressBar({ label: 'upload', totalItems: toUpload.length, totalBytes, quiet });
    const started = Date.now();
    const stopListening = sayHowToResumeOnCtrlC(
      () => `hilum upload: interrupted; what was sent is recorded in ${statePath}. Run the same command to resume: ${sameCommand()}`,
    );
    const outcome = await uploadFiles({
      api,
      apiUrl,
      project,
      site,
      files: toUpload,
      deidentifiedAtSite: deidAtSite,
      ...(cases || sheets
        ? {
            beforeSeal: async (submissionId: string) => {
              if (cases) await api.putCases(submissionId, cases);
              for (const sheet of sheets ?? [])
                await api.putClinicalSheet(submissionId, sheet.node, sheet.body, sheet.file, sheet.datesShifted === true);
              if (linkageTokens) await sendLinkageTokens(api, submissionId, linkageTokens);
            },
          }
        : {}),
      statePath,
      jobs,
      maxBytesPerSecond: maxRate,
      onFileDone: (file, skipped) => (skipped ? progress.skip(1, file.size) : progress.tick(1, file.size)),
    }).catch((error: unknown) => {
      stopCheckBeside.abort(error);
      throw error;
    });
    stopListening();
    progress.done();
    if (checkBeside) sayChecked(await checkBeside);
    const seconds = (Date.now() - started) / 1000;
    if (json) console.log(JSON.stringify({ ...outcome, skipped, bytes: totalBytes, seconds, statePath }));
    say(
      `submission ${outcome.submissionId}: ${outcome.uploaded} uploaded, ${outcome.resumed} already there, ${outcome.failed.length} failed, ${skipped.length} skipped (not DICOM); ${formatBytes(totalBytes)} in ${seconds.toFixed(1)} s${outcome.sealed ? '; sealed' : ''}`,
    );
    for (const f of outcome.failed) console.error(`failed ${f.relativePath}: ${f.reason}`);
    if (outcome.failed.length) {
      console.error('hilum upload: run the same command again to retry the failed files');
      return 1;
    }
    if (args.values.wait) {
      const names = localNames((await loadUploadState(statePath))?.files ?? {});
      return waitForPipeline(api, outcome.submissionId, names, folderStateDir(root), quiet, started);
    }
    return 0;
  },
};

function refuse(held: readonly Held[]): number {
  for (const h of held) console.error(`held back ${h.relativePath}: ${h.reason}`);
  console.error(
    `hilum upload: nothing uploaded; ${held.length} file(s) would be quarantined or cannot be prepared. Fix them, leave them out, or pass --force`,
  );
  return EXIT.quarantine;
}

/**
 * In the user's state directory, keyed by the folder (never inside the user's
 * folder). A state file an earlier version left in the folder is moved there
 * first, so an upload it interrupted resumes.
 */
async function defaultStatePath(root: string, say: (line: string) => void): Promise<string> {
  const path = join(folderStateDir(root), 'upload-state.json');
  if (!(await stat(root)).isDirectory()) return path;
  const legacy = join(root, LEGACY_STATE);
  if ((await exists(legacy)) && !(await exists(path))) {
    await mkdir(dirname(path), { recursive: true });
    // The journal first: a state without its journal's lines would only ask again about files already sent.
    if (await exists(journalPathOf(legacy))) {
      await copyFile(journalPathOf(legacy), journalPathOf(path));
      await rm(journalPathOf(legacy));
    }
    await copyFile(legacy, path);
    await rm(legacy);
    say(`moved the upload state from ${legacy} to ${path}`);
  }
  return path;
}

const LEGACY_STATE = '.hilum-upload.json';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Waits for the pipeline's verdict and tells it by the site's own file names (the
 * state maps the server's ids to them); the full report goes to a file beside the state.
 */
async function waitForPipeline(
  api: Awaited<ReturnType<typeof connect>>['api'],
  submissionId: string,
  names: ReadonlyMap<string, string>,
  reportDir: string,
  quiet: boolean,
  startedAt: number,
): Promise<number> {
  const say = quiet ? () => undefined : (line: string) => console.log(line);
  const deadline = Date.now() + 30 * 60 * 1000;
  // Asked again at the end the progress points to (0.25-2 s), not every 2 s: the last outcome is noticed sooner.
  const schedule = new PollSchedule(startedAt);
  for (;;) {
    // Each look reads the counts alone; the files (their outcomes, for the lines below) once it is published.
    const counts = await api.getSubmissionCounts(submissionId);
    if (counts.status === 'published') {
      const { submission, report } = await readPublished(api, submissionId);
      say(`published: ${submission.stagedCount} files staged, ${submission.quarantinedCount} quarantined`);
      // Quarantines are what the user must act on: told even with --quiet (on stderr then).
      for (const line of quarantineLines(submission, names)) (quiet ? console.error : console.log)(line);
      if (report) {
        const local = withLocalNames(report, names);
        for (const line of warningSummary(local.warnings)) say(line);
        await mkdir(reportDir, { recursive: true });
        const reportPath = join(reportDir, `qa-report-${submissionId}.md`);
        await writeFile(reportPath, renderReportMarkdown(local));
        say(`the QA report, your files by name: ${reportPath}`);
      }
      for (const line of nextSteps(submission.quarantinedCount)) (quiet ? console.error : console.log)(line);
      return submission.quarantinedCount ? EXIT.quarantine : EXIT.ok;
    }
    if (Date.now() > deadline) {
      console.error(`hilum upload: the submission is still ${counts.status} after 30 minutes`);
      return 1;
    }
    const decided = counts.stagedCount + counts.quarantinedCount;
    await new Promise((r) => setTimeout(r, schedule.next(decided, counts.fileCount, Date.now())));
  }
}
