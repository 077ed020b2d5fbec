/**
 * The QA report of a submission (or of a folder checked offline by `hilum qa`):
 * counts by outcome, findings per rule, the quarantined files with their reasons,
 * the warnings. It holds ids, rule ids and value-free messages only, so the site,
 * curators and the released bucket may keep it.
 */
import { ruleById } from './rules';
import { outcomeOf, type Finding, type Severity } from './types';

export const REPORT_SCHEMA = 'hilum.qa-report/1';

export type FileOutcome = 'pass' | 'warn' | 'quarantine' | 'missing' | 'pending';

export interface ReportFileInput {
  /** A file id in the commons; the path relative to the checked folder offline. */
  readonly fileId: string;
  /** Known end state; undefined lets the findings decide (pass, warn or quarantine). */
  readonly state?: 'quarantine' | 'missing' | 'pending';
  readonly findings: readonly Finding[];
  readonly quarantineId?: string;
  /** A curator's decision on a quarantined file. */
  readonly review?: { readonly action: 'released' | 'rejected'; readonly at: string; readonly overrides: readonly string[] };
}

export interface ReportInput {
  readonly source: 'commons' | 'offline';
  readonly generatedAt: string;
  /** False while files or the submission workflow are still pending. */
  readonly final: boolean;
  readonly submission?: { readonly submissionId: string; readonly project: string; readonly site: string; readonly status: string };
  readonly files: readonly ReportFileInput[];
  /** Findings not carried by a file: series, study and submission level. */
  readonly findings: readonly Finding[];
}

export interface RuleCount {
  readonly ruleId: string;
  readonly description: string;
  readonly severity: Severity;
  readonly count: number;
}

export interface QaReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly source: 'commons' | 'offline';
  readonly generatedAt: string;
  readonly final: boolean;
  readonly submission?: ReportInput['submission'];
  readonly counts: Readonly<Record<FileOutcome, number>> & { readonly files: number };
  readonly rules: readonly RuleCount[];
  readonly quarantined: readonly {
    readonly fileId: string;
    readonly quarantineId?: string;
    readonly rules: readonly string[];
    readonly reasons: readonly string[];
  }[];
  readonly reviewed: readonly {
    readonly fileId: string;
    readonly quarantineId?: string;
    readonly action: 'released' | 'rejected';
    readonly at: string;
    readonly overrides: readonly string[];
  }[];
  readonly warnings: readonly Finding[];
  readonly missing: readonly string[];
}

function outcomeOfFile(file: ReportFileInput): FileOutcome {
  return file.state ?? outcomeOf(file.findings);
}

export function buildReport(input: ReportInput): QaReport {
  const counts: Record<FileOutcome, number> = { pass: 0, warn: 0, quarantine: 0, missing: 0, pending: 0 };
  const ruleCounts = new Map<string, { severity: Severity; count: number }>();
  const count = (f: Finding) => {
    const entry = ruleCounts.get(f.ruleId);
    if (entry) {
      entry.count += 1;
      if (f.severity === 'quarantine') entry.severity = 'quarantine';
    } else {
      ruleCounts.set(f.ruleId, { severity: f.severity, count: 1 });
    }
  };
  const quarantined: QaReport['quarantined'][number][] = [];
  const warnings: Finding[] = [];
  const missing: string[] = [];
  const reviewed: QaReport['reviewed'][number][] = [];

  for (const file of input.files) {
    const outcome = outcomeOfFile(file);
    counts[outcome] += 1;
    file.findings.forEach(count);
    if (outcome === 'quarantine') {
      const blocking = file.findings.filter((f) => f.severity === 'quarantine');
      quarantined.push({
        fileId: file.fileId,
        ...(file.quarantineId ? { quarantineId: file.quarantineId } : {}),
        rules: [...new Set(blocking.map((f) => f.ruleId))],
        reasons: blocking.map((f) => `${f.ruleId}: ${f.message}`),
      });
    }
    if (outcome === 'missing') missing.push(file.fileId);
    if (outcome !== 'quarantine')
      warnings.push(...file.findings.filter((f) => f.severity === 'warn').map((f) => ({ ...f, fileId: file.fileId })));
    if (file.review)
      reviewed.push({ fileId: file.fileId, ...(file.quarantineId ? { quarantineId: file.quarantineId } : {}), ...file.review });
  }
  for (const f of input.findings) {
    count(f);
    if (f.severity === 'warn') warnings.push(f);
  }
  const rules = [...ruleCounts]
    .map(([ruleId, { severity, count: n }]) => ({
      ruleId,
      severity,
      count: n,
      description: ruleById(ruleId)?.description ?? 'pipeline error',
    }))
    .sort((a, b) => (a.ruleId < b.ruleId ? -1 : 1));

  return {
    schema: REPORT_SCHEMA,
    source: input.source,
    generatedAt: input.generatedAt,
    final: input.final,
    ...(input.submission ? { submission: input.submission } : {}),
    counts: { files: input.files.length, ...counts },
    rules,
    quarantined,
    reviewed,
    warnings,
    missing,
  };
}

/** True when anything would be (or was) kept from publication. */
export function hasQuarantine(report: QaReport): boolean {
  return report.counts.quarantine > 0;
}
