import { readFile, writeFile } from 'node:fs/promises';
import {
  buildReport,
  DEFAULT_QA_CONFIG,
  evaluateInstance,
  evaluateStudies,
  factsOfFile,
  hasQuarantine,
  InvalidQaConfig,
  loadQaConfig,
  renderReportMarkdown,
  type Finding,
  type InstanceFacts,
  type QaConfig,
  type QaReport,
} from '../../layers/qa';
import { Command, existingInput, stringOption, UsageError } from '../command';
import { EXIT } from '../exit-codes';
import { ProgressBar } from '../lib/progress';
import { scanFiles, type FoundFile } from '../lib/scan-files';

export const qaCommand: Command = {
  name: 'qa',
  summary: "check a folder of DICOM files with the commons' QA rules before upload",
  usage: `Usage: hilum qa FOLDER [--config FILE] [--json FILE|-] [--markdown FILE|-] [--quiet]

Runs the commons' quality rules on the ORIGINAL files of FOLDER, at the site,
before upload: the instance rules that make sense before de-identification
(parses, scope, Type 1 attributes, pixel module, transfer syntax, pixel review)
and the series/study rules (one patient per study, one study per series,
duplicate SOP Instance UIDs, duplicate pixels, instance-number gaps, mixed
series). The report has the commons' format; files are named by their path
relative to FOLDER. Nothing leaves this machine.

  --config FILE      the project's QA configuration (JSON; default: CR, DX, CT in scope)
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
    const quiet = args.values.quiet === true;
    const report = await checkFolder(root, config, undefined, quiet);
    const json = stringOption(args, 'json');
    const markdown = stringOption(args, 'markdown') ?? (json === undefined && !quiet ? '-' : undefined);
    if (json !== undefined) await emit(json, `${JSON.stringify(report, null, 2)}\n`);
    if (markdown !== undefined) await emit(markdown, renderReportMarkdown(report));
    const c = report.counts;
    if (!quiet) console.error(`hilum qa: ${c.files} file(s): ${c.pass} pass, ${c.warn} warn, ${c.quarantine} would be quarantined`);
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

/** Runs the offline rules over every file of a folder and builds the report. */
export async function checkFolder(folder: string, config: QaConfig, stream?: NodeJS.WriteStream, quiet = false): Promise<QaReport> {
  return checkFiles(await scanFiles(folder), config, stream, quiet);
}

/** Runs the offline rules over files (named by their relative paths) and builds the report. */
export async function checkFiles(
  files: readonly FoundFile[],
  config: QaConfig,
  stream?: NodeJS.WriteStream,
  quiet = false,
): Promise<QaReport> {
  const progress = new ProgressBar({
    quiet,
    label: 'qa',
    totalItems: files.length,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
    ...(stream ? { stream } : {}),
  });
  const findings = new Map<string, Finding[]>();
  const facts: InstanceFacts[] = [];
  for (const [index, file] of files.entries()) {
    const bytes = new Uint8Array(await readFile(file.path));
    const evaluation = evaluateInstance(bytes, { config, phase: 'original', fileId: file.relativePath });
    findings.set(file.relativePath, [...evaluation.findings]);
    if (evaluation.view) facts.push(factsOfFile(evaluation.view, file.relativePath, String(index).padStart(8, '0')));
    progress.tick(1, file.size);
  }
  progress.done();
  const studyFindings = evaluateStudies(facts, config, 'original');
  for (const f of studyFindings) if (f.fileId) findings.get(f.fileId)?.push(f);
  return buildReport({
    source: 'offline',
    generatedAt: new Date().toISOString(),
    final: true,
    files: files.map((f) => ({ fileId: f.relativePath, findings: findings.get(f.relativePath) ?? [] })),
    findings: studyFindings.filter((f) => !f.fileId),
  });
}
