/**
 * The vocabulary of hilum's quality rules. A rule has an id, a level, a default
 * severity and a description; it returns value-free messages (keywords, tags,
 * counts, ids), never a DICOM value, so findings are safe to log, store and show.
 */
export type Severity = 'warn' | 'quarantine';
export type ConfiguredSeverity = Severity | 'off';
export type Outcome = 'pass' | Severity;
export type RuleLevel = 'instance' | 'study' | 'submission';

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  /** The file the finding is about (a file id in the commons, a relative path offline). */
  readonly fileId?: string;
  readonly studyUid?: string;
  readonly seriesUid?: string;
}

export interface RuleMeta {
  readonly id: string;
  readonly level: RuleLevel;
  readonly defaultSeverity: Severity;
  readonly description: string;
  /** A curator may admit a file this rule quarantined (`POST /quarantine/{id}/release`), with a written reason. */
  readonly overridable: boolean;
  /** The rule makes sense on an original (not yet de-identified) file, so `hilum qa` runs it offline. */
  readonly offline: boolean;
}

const RANK: Readonly<Record<Outcome, number>> = { pass: 0, warn: 1, quarantine: 2 };

/** The worst severity among findings: what happens to the file. */
export function outcomeOf(findings: readonly Pick<Finding, 'severity'>[]): Outcome {
  return findings.reduce<Outcome>((worst, f) => (RANK[f.severity] > RANK[worst] ? f.severity : worst), 'pass');
}
