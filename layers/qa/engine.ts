/**
 * Runs the rules with a project's configuration: each rule's configured severity
 * (or its default; `off` skips it) turns its messages into findings, and the
 * worst severity is the outcome. Pure: bytes and facts in, findings out.
 */
import { DicomParseError, scanPart10 } from '../dicom';
import { DEFAULT_QA_CONFIG, severityOf, type QaConfig } from './config';
import { DatasetView } from './dataset-view';
import type { InstanceFacts } from './facts';
import { INSTANCE_RULES, STUDY_RULES, SUBMISSION_RULES } from './rules';
import type { InstanceContext } from './rules/instance/rule';
import type { SubmissionFacts } from './rules/submission/rule';
import { outcomeOf, type Finding, type Outcome, type RuleMeta, type Severity } from './types';

export interface InstanceEvaluation {
  readonly outcome: Outcome;
  readonly findings: readonly Finding[];
  /** The scanned instance, when the bytes were readable. */
  readonly view?: DatasetView;
}

export interface InstanceOptions {
  readonly config?: QaConfig;
  readonly phase?: InstanceContext['phase'];
  readonly deidOutcome?: InstanceContext['deidOutcome'];
  readonly pixelReview?: InstanceContext['pixelReview'];
  readonly pixelsCleared?: InstanceContext['pixelsCleared'];
  readonly verification?: InstanceContext['verification'];
  readonly fileId?: string;
  /** Run this rule alone (its findings as the whole evaluation gives them): a caller that keeps one rule's findings. */
  readonly only?: string;
}

function applies(rule: RuleMeta, config: QaConfig, phase: InstanceContext['phase']): Severity | undefined {
  if (phase === 'original' && !rule.offline) return undefined;
  const severity = severityOf(config, rule.id, rule.defaultSeverity);
  return severity === 'off' ? undefined : severity;
}

/** Scans the bytes and runs every instance rule on them. */
export function evaluateInstance(bytes: Uint8Array, options: InstanceOptions = {}): InstanceEvaluation {
  let view: DatasetView | undefined;
  let parseError: string | undefined;
  const config = options.config ?? DEFAULT_QA_CONFIG;
  const phase = options.phase ?? 'deidentified';
  try {
    // Originals (checked offline before upload) meet the intake inflation policy Parse applies;
    // de-identified copies passed it already and are read within the ceiling.
    view = new DatasetView(scanPart10(bytes, phase === 'original' ? { inflation: config.inflation } : {}));
  } catch (error) {
    if (!(error instanceof DicomParseError)) throw error;
    parseError = error.message;
  }
  const context: InstanceContext = {
    view,
    config,
    phase,
    ...(parseError !== undefined ? { parseError } : {}),
    ...(options.deidOutcome ? { deidOutcome: options.deidOutcome } : {}),
    ...(options.pixelReview ? { pixelReview: options.pixelReview } : {}),
    ...(options.pixelsCleared ? { pixelsCleared: true } : {}),
    ...(options.verification ? { verification: options.verification } : {}),
  };
  const findings: Finding[] = [];
  for (const rule of INSTANCE_RULES) {
    if (options.only !== undefined && rule.id !== options.only) continue;
    const severity = applies(rule, config, phase);
    if (!severity) continue;
    for (const message of rule.check(context)) {
      findings.push({ ruleId: rule.id, severity, message, ...(options.fileId ? { fileId: options.fileId } : {}) });
    }
  }
  return { outcome: outcomeOf(findings), findings, ...(view ? { view } : {}) };
}

/** Runs the series/study rules over instance facts. */
export function evaluateStudies(
  instances: readonly InstanceFacts[],
  config: QaConfig = DEFAULT_QA_CONFIG,
  phase: InstanceContext['phase'] = 'deidentified',
): Finding[] {
  return STUDY_RULES.flatMap((rule) => {
    const severity = applies(rule, config, phase);
    return severity ? rule.check(instances).map((p) => ({ ruleId: rule.id, severity, ...p })) : [];
  });
}

/** Runs the submission-level rules. */
export function evaluateSubmission(facts: SubmissionFacts, config: QaConfig = DEFAULT_QA_CONFIG): Finding[] {
  return SUBMISSION_RULES.flatMap((rule) => {
    const severity = applies(rule, config, 'deidentified');
    return severity ? rule.check(facts).map((p) => ({ ruleId: rule.id, severity, ...p })) : [];
  });
}

/** The file ids that study-level findings send to quarantine. */
export function filesToQuarantine(findings: readonly Finding[]): Map<string, Finding[]> {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.severity !== 'quarantine' || !f.fileId) continue;
    byFile.set(f.fileId, [...(byFile.get(f.fileId) ?? []), f]);
  }
  return byFile;
}
