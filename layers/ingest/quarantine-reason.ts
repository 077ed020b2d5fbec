import { OWN_ERROR_NAMES, RECORDABLE_ERRORS } from '../common/errors';
import { RULE_FOR_ERROR } from '../qa';
import type { QaFinding, QuarantineInput } from '../pipeline/ingest-states';
import { RESOURCE_LIMIT, RESOURCE_LIMIT_ERRORS } from '../pipeline/task-errors';

export interface QuarantineReason {
  /** A rule id or an error name: what a curator filters by. */
  readonly code: string;
  /** Human-readable, free of DICOM values. */
  readonly message: string;
  /** The workflow state that failed, when known. */
  readonly failedAfter: string;
}

const MAX_MESSAGE = 500;

/** What the reason is read from: the results and the caught error of the execution state Quarantine receives. */
export type QuarantineOutcomeState = Partial<Pick<QuarantineInput, 'ingest' | 'error'>>;

/**
 * Why a file is quarantined, from the workflow state. Messages of errors hilum
 * raises itself are value-free by construction and are kept; anything else (a
 * library's message could quote a value) is reduced to its error name.
 */
export function quarantineReason(state: QuarantineOutcomeState): QuarantineReason {
  // IngestObject answers with its QA decision, or throws before it has one (the error says which step).
  const qa = state.ingest?.qa;
  const failedAfter = qa ? 'Qa' : 'start';
  if (qa?.outcome === 'quarantine') {
    const blocking = qa.findings.filter((f) => f.severity === 'quarantine');
    return {
      code: blocking[0]?.ruleId ?? 'qa',
      message: truncate(blocking.map((f) => `${f.ruleId}: ${f.message}`).join('; ') || 'quality rules failed'),
      failedAfter,
    };
  }
  const name = state.error?.Error ?? 'Unknown';
  if ((RESOURCE_LIMIT_ERRORS as readonly string[]).includes(name)) {
    // Lambda's own message (a request id, a signal) says nothing more to a curator than its name.
    return {
      code: RESOURCE_LIMIT,
      message: `${RESOURCE_LIMIT}: a task ran out of memory or time on this file twice (${name})`,
      failedAfter,
    };
  }
  const detail = RECORDABLE_ERRORS.has(name) || OWN_ERROR_NAMES.has(name) ? causeMessage(state.error?.Cause) : undefined;
  return { code: name, message: truncate(detail ? `${name}: ${detail}` : `${name} (details withheld)`), failedAfter };
}

function causeMessage(cause: string | null | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed && typeof parsed.errorMessage === 'string')
      return parsed.errorMessage;
  } catch {
    /* a plain string cause */
  }
  return cause;
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/**
 * The findings a quarantine records: QA's own findings, or the caught error as a
 * finding of the rule it stands for (DicomParseError -> dicom.parses,
 * VerificationFailed -> deid.verified); other errors keep their name as the rule id.
 */
export function quarantineFindings(state: QuarantineOutcomeState, reason: QuarantineReason): QaFinding[] {
  const qa = state.ingest?.qa;
  if (qa?.outcome === 'quarantine') return [...qa.findings];
  const ruleId = RULE_FOR_ERROR[reason.code] ?? reason.code;
  return [{ ruleId, severity: 'quarantine', message: reason.message }];
}
