import type { Finding, QaReport } from '../../layers/qa';

/**
 * The pipeline's verdict on a submission told in the site's own terms: files by
 * the paths they had in the uploaded folder (the upload state maps the server's
 * file ids to them), each rule id once, and what to do next.
 */
export interface SubmissionFileOutcome {
  readonly fileId: string;
  readonly status: string;
  readonly reasonCode?: string;
  readonly reason?: string;
}

export interface SubmissionOutcome {
  readonly status: string;
  readonly stagedCount: number;
  readonly quarantinedCount: number;
  readonly files: readonly SubmissionFileOutcome[];
}

/** What `readPublished` asks of the API client. */
export interface PublishedReader<S extends SubmissionOutcome> {
  getSubmission(submissionId: string): Promise<S>;
  request<T>(method: string, path: string): Promise<T>;
}

/**
 * A published submission's files (their outcomes) and its QA report (undefined: a commons without the report, or it
 * failed), asked at once: one after the other, `--wait` waited both round trips after the last outcome (for a
 * 1,000-file set each reads every file's record).
 */
export async function readPublished<S extends SubmissionOutcome>(
  api: PublishedReader<S>,
  submissionId: string,
): Promise<{ submission: S; report: QaReport | undefined }> {
  const report = api.request<QaReport>('GET', `/submissions/${submissionId}/report?format=json`).then(
    (r) => (r && typeof r === 'object' ? r : undefined),
    () => undefined,
  );
  const submission = await api.getSubmission(submissionId);
  return { submission, report: await report };
}

/** file id → path relative to the uploaded folder, from an upload state's `files` (keyed by path). */
export function localNames(files: Readonly<Record<string, { readonly fileId: string }>>): Map<string, string> {
  return new Map(Object.entries(files).map(([relativePath, entry]) => [entry.fileId, relativePath]));
}

const nameOf = (names: ReadonlyMap<string, string>, fileId: string): string => names.get(fileId) ?? `file ${fileId}`;

/** `rule: message` once: the pipeline's reason already starts with its rule id (several joined by `; `). */
export function reasonText(file: Pick<SubmissionFileOutcome, 'reasonCode' | 'reason'>): string {
  const code = file.reasonCode ?? 'quarantined';
  if (!file.reason) return code;
  return file.reason.startsWith(`${code}:`) || file.reason.startsWith(`${code} `) ? file.reason : `${code}: ${file.reason}`;
}

export function quarantineLines(submission: SubmissionOutcome, names: ReadonlyMap<string, string>): string[] {
  return submission.files
    .filter((f) => f.status === 'quarantined')
    .map((f) => `  quarantined ${nameOf(names, f.fileId)}: ${reasonText(f)}`)
    .sort();
}

/** What a site does about quarantined files; empty when there are none. */
export function nextSteps(quarantined: number): string[] {
  if (quarantined === 0) return [];
  return [
    `next: the ${quarantined === 1 ? 'file above stays' : `${quarantined} files above stay`} out of the release. Fix ${quarantined === 1 ? 'it' : 'them'} at the source and upload ${quarantined === 1 ? 'it' : 'them'} as a new submission (hilum qa FOLDER checks first),`,
    '      or ask a curator to review and release them (docs/qa.md).',
  ];
}

/** The report with the server's file ids replaced by the site's paths. */
export function withLocalNames(report: QaReport, names: ReadonlyMap<string, string>): QaReport {
  const rename = <T extends { fileId?: string }>(item: T): T => (item.fileId ? { ...item, fileId: nameOf(names, item.fileId) } : item);
  return {
    ...report,
    quarantined: report.quarantined.map(rename),
    reviewed: report.reviewed.map(rename),
    warnings: report.warnings.map(rename),
    missing: report.missing.map((id) => nameOf(names, id)),
  };
}

/** Warnings grouped by rule: one line each, with the count and a first example, not one line per file. */
export function warningSummary(warnings: readonly Finding[]): string[] {
  const byRule = new Map<string, Finding[]>();
  for (const w of warnings) byRule.set(w.ruleId, [...(byRule.get(w.ruleId) ?? []), w]);
  return [...byRule].map(([ruleId, found]) => {
    const first = found[0]!;
    const where =
      first.fileId ?? (first.seriesUid ? `series ${first.seriesUid}` : first.studyUid ? `study ${first.studyUid}` : 'submission');
    return `  warn ${ruleId}: ${found.length} finding(s), e.g. ${where}: ${first.message}`;
  });
}
