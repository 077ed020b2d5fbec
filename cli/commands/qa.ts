import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { DEFAULT_PROFILE, DicomParseError, scanPart10, type DeidProfile } from '../../layers/dicom';
import { stopOcr } from '../../layers/ingest/burned-in';
import { processInstanceWithPixelCheck, type ProjectKey } from '../../layers/ingest/process-instance';
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
import { Command, existingInput, stringOption, UsageError } from '../command';
import { EXIT } from '../exit-codes';
import { ProgressBar } from '../lib/progress';
import { partitionPart10, type SkippedFile } from '../lib/part10-prefix';
import { loadProfileFile } from '../lib/profile-file';
import { scanFilesSync, type FoundFile } from '../lib/scan-files';
import { ReusedRangeReader } from '../lib/file-range';
import { FolderFacts } from '../lib/folder-facts';

export const qaCommand: Command = {
  name: 'qa',
  summary: "check a folder of DICOM files with the commons' QA rules before upload",
  usage: `Usage: hilum qa FOLDER [--config FILE] [--profile FILE] [--json FILE|-] [--markdown FILE|-] [--quiet]

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
    const { report, skipped } = await checkFolder(root, { config, profile, quiet });
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
 * The ingest workflow's per-file decision on an original, composed (`processInstanceWithPixelCheck`:
 * the burned-in text check of an at-risk image, read within the project's inflation policy,
 * de-identify, verify, the instance rules on the copy with the de-identifier's pixel-review
 * triggers), so each file gets the verdict, rule ids and messages the pipeline would give it.
 */
export async function checkOriginal(original: Uint8Array, config: QaConfig, key: ProjectKey): Promise<readonly Finding[]> {
  return (await processInstanceWithPixelCheck(original, { key, deidentifiedAtSite: false, config })).findings;
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
  const findings = new Map<string, Finding[]>();
  const facts = new FolderFacts((bytes) => new DatasetView(scanPart10(bytes, { inflation: config.inflation })));
  // Every file into the same memory: nothing of one file's check outlives it (findings and facts are strings).
  const reader = new ReusedRangeReader();
  try {
    for (const [index, file] of files.entries()) {
      const bytes = reader.readWholeSync(file.path);
      const found = (await checkOriginal(bytes, config, key)).map((f) => ({ ...f, fileId: file.relativePath }));
      findings.set(file.relativePath, found);
      const view = found.some((f) => f.ruleId === 'dicom.parses') ? undefined : originalView(bytes, config);
      const fileFacts = view && facts.add(view, file.path, file.relativePath, String(index).padStart(8, '0'));
      check.onStudy?.(fileFacts?.studyUid || undefined);
      progress.tick(1, file.size);
    }
  } finally {
    // The OCR worker (started by the first at-risk image) would keep the command's process alive.
    await stopOcr();
  }
  progress.done();
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

/** The original as the study rules read it (its own UIDs and patient, within the intake inflation policy). */
function originalView(bytes: Uint8Array, config: QaConfig): DatasetView | undefined {
  try {
    return new DatasetView(scanPart10(bytes, { inflation: config.inflation }));
  } catch (error) {
    if (error instanceof DicomParseError) return undefined;
    throw error;
  }
}
