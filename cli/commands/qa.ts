import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { DEFAULT_PROFILE, scanPart10, type DeidProfile } from '../../layers/dicom';
import { stopOcr } from '../../layers/ingest/burned-in';
import { type ProjectKey } from '../../layers/ingest/process-instance';
import {
  buildReport,
  DatasetView,
  DEFAULT_QA_CONFIG,
  evaluateStudies,
  hasQuarantine,
  InvalidQaConfig,
  loadQaConfig,
  renderReportMarkdown,
  type Finding,
  type QaConfig,
  type QaReport,
} from '../../layers/qa';
import { Command, existingInput, integerOption, stringOption, UsageError } from '../command';
import { EXIT } from '../exit-codes';
import { ProgressBar } from '../lib/progress';
import { partitionPart10, type SkippedFile } from '../lib/part10-prefix';
import { loadProfileFile } from '../lib/profile-file';
import { scanFilesSync, type FoundFile } from '../lib/scan-files';
import { FolderFacts } from '../lib/folder-facts';
import { type CheckedFile } from '../lib/check-file';
import { checkInLanes, type CheckLanesOptions } from '../lib/check-lanes';

export { checkOriginal } from '../lib/check-file';

export const qaCommand: Command = {
  name: 'qa',
  summary: "check a folder of DICOM files with the commons' QA rules before upload",
  usage: `Usage: hilum qa FOLDER [--config FILE] [--profile FILE] [--jobs N] [--json FILE|-] [--markdown FILE|-] [--quiet]

Checks the files of FOLDER at the site, before upload, exactly as the pipeline
will check each one: de-identified in memory with the project's profile (nothing
is written), verified, and run through the commons' instance rules with the
de-identifier's pixel-review triggers, so a file gets here the verdict, rule ids
and messages the pipeline would give it. Then the series/study rules that make
sense on a folder (one patient per study, one study per series, duplicate SOP
Instance UIDs, duplicate pixels, instance-number gaps, mixed series). Files that
are not DICOM Part 10 are listed as skipped, as upload skips them. The report has
the commons' format; files are named by their path relative to FOLDER. Nothing
leaves this machine.

  --config FILE      the project's QA configuration (JSON; default: CR, DX, CT in scope)
  --profile FILE     the project's de-identification profile (default: the MIDRC profile)
  --jobs N           files checked in parallel, on the main thread and worker threads
                     (default or 0: one per core; a small folder is checked on one)
  --json FILE|-      write the JSON report to FILE (- for stdout)
  --markdown FILE|-  write the Markdown summary to FILE (- for stdout; the default
                     when neither option is given)
  --quiet            no progress, no counts line, no default Markdown: the exit status
                     (and the reports asked for) say it

Exit status: 0 when nothing would be quarantined, 3 when something would, 2 on a
usage or input error (e.g. FOLDER does not exist); see cli/README.md.

Example:
  npx hilum qa ./export --json qa-report.json --markdown qa-report.md`,
  options: {
    config: { type: 'string' },
    profile: { type: 'string' },
    jobs: { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'string' },
    quiet: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args) {
    const [folder, ...extra] = args.positionals;
    if (!folder || extra.length > 0) throw new UsageError('exactly one FOLDER is required');
    const root = await existingInput(folder, 'FOLDER');
    const config = await readConfig(stringOption(args, 'config'));
    const profile = loadProfileFile(stringOption(args, 'profile'));
    const quiet = args.values.quiet === true;
    const jobs = integerOption(args, 'jobs', 0);
    const { report, skipped } = await checkFolder(root, { config, profile, quiet, lanes: { jobs } });
    if (!quiet) for (const s of skipped) console.error(`skipped ${s.relativePath}: ${s.reason}`);
    const json = stringOption(args, 'json');
    const markdown = stringOption(args, 'markdown') ?? (json === undefined && !quiet ? '-' : undefined);
    if (json !== undefined) await emit(json, `${JSON.stringify(report, null, 2)}\n`);
    if (markdown !== undefined) await emit(markdown, renderReportMarkdown(report));
    const c = report.counts;
    if (!quiet)
      console.error(
        `hilum qa: ${c.files} file(s): ${c.pass} pass, ${c.warn} warn, ${c.quarantine} would be quarantined${skipped.length ? `; ${skipped.length} skipped (not DICOM)` : ''}`,
      );
    return hasQuarantine(report) ? EXIT.quarantine : EXIT.ok;
  },
};

async function readConfig(path: string | undefined): Promise<QaConfig> {
  if (!path) return DEFAULT_QA_CONFIG;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--config: cannot read JSON from ${path} (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return loadQaConfig(raw);
  } catch (error) {
    if (error instanceof InvalidQaConfig) throw new UsageError(`--config: ${error.message}`);
    throw error;
  }
}

async function emit(target: string, text: string): Promise<void> {
  if (target === '-') process.stdout.write(text);
  else await writeFile(target, text);
}

/** What `hilum qa` checks a file with: the project's QA configuration and de-identification profile. */
export interface OfflineCheck {
  readonly config: QaConfig;
  /** The project's de-identification profile (default: the MIDRC profile, as upload's). */
  readonly profile?: DeidProfile;
  readonly stream?: NodeJS.WriteStream;
  readonly quiet?: boolean;
  /**
   * Told each file's Study Instance UID as the check read it (undefined: unreadable), so that `hilum upload`
   * groups the files by study without reading and parsing each file once more.
   */
  readonly onStudy?: (studyUid: string | undefined) => void;
  /** How the files are spread over threads (cli/lib/check-lanes.ts; default: one lane per core, one for a small folder). */
  readonly lanes?: Omit<CheckLanesOptions, 'onChecked'>;
}

export interface FolderCheck {
  readonly report: QaReport;
  /** Files that are not DICOM Part 10: upload never sends them, so they are left out of the report. */
  readonly skipped: readonly SkippedFile[];
}

/** Checks every file of a folder (or one file) as the pipeline would, leaving out what upload skips. */
export async function checkFolder(folder: string, check: OfflineCheck): Promise<FolderCheck> {
  const { dicom, skipped } = partitionPart10(scanFilesSync(folder));
  return { report: await checkFiles(dicom, check), skipped };
}

/**
 * The key an offline check de-identifies with: a fresh random secret, since no copy is kept and
 * no finding depends on the key (the UIDs it remaps stay distinct and consistent within the run).
 */
function offlineKey(profile: DeidProfile): ProjectKey {
  return { secret: randomBytes(32).toString('hex'), project: 'offline-check', site: 'offline-check', profile };
}

/**
 * Files (named by their relative paths): each through the pipeline's per-file decision, then the
 * offline series/study rules over the originals (the pipeline runs them on the catalog: docs/qa.md).
 */
export async function checkFiles(files: readonly FoundFile[], check: OfflineCheck): Promise<QaReport> {
  const { config } = check;
  const key = offlineKey(check.profile ?? DEFAULT_PROFILE);
  const progress = new ProgressBar({
    quiet: check.quiet === true,
    label: 'qa',
    totalItems: files.length,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
    ...(check.stream ? { stream: check.stream } : {}),
  });
  let checked: CheckedFile[];
  try {
    checked = await checkInLanes(files, { config, key }, { ...check.lanes, onChecked: (i) => progress.tick(1, files[i]?.size ?? 0) });
  } finally {
    // The OCR worker (started by the first at-risk image) would keep the command's process alive.
    await stopOcr();
  }
  progress.done();
  // Merged in file order, as the serial check noted them: the study rules flag the later of two arrivals.
  const findings = new Map<string, Finding[]>();
  const facts = new FolderFacts((bytes) => new DatasetView(scanPart10(bytes, { inflation: config.inflation })));
  for (const [index, file] of files.entries()) {
    const outcome = checked[index] as CheckedFile;
    findings.set(file.relativePath, outcome.findings);
    const header = outcome.facts && facts.addNoted(outcome.facts, file.path);
    check.onStudy?.(header?.studyUid || undefined);
  }
  const studyFindings = evaluateStudies(facts.facts(), config, 'original');
  for (const f of studyFindings) if (f.fileId) findings.get(f.fileId)?.push(f);
  return buildReport({
    source: 'offline',
    generatedAt: new Date().toISOString(),
    final: true,
    files: files.map((f) => ({ fileId: f.relativePath, findings: findings.get(f.relativePath) ?? [] })),
    findings: studyFindings.filter((f) => !f.fileId),
  });
}
