import type { Finding, QaConfig } from '../qa';
import {
  checkInstance,
  duplicateSopFinding,
  qaDecision,
  sopClaimOf,
  VERIFIED,
  type DeidentifiedInstance,
} from '../ingest/process-instance';
import type { QaResult } from '../pipeline/ingest-states';
import { qaRepository } from './qa-context';
import type { SopClaim } from './sop-claim';

/** What instance QA decides on: a file's ids, its project's rules, the de-identified copy and its SHA-256. */
export interface InstanceQaInput {
  readonly submissionId: string;
  readonly fileId: string;
  readonly config: QaConfig;
  /** The de-identify step's answer: the copy and its pixel-review decision. */
  readonly deid: DeidentifiedInstance;
  /** SHA-256 of `deid.bytes` (`sha256Of`), computed once for the claim and the staging. */
  readonly copySha256: Uint8Array;
}

/** The project's instance rules on a copy, and the SOP claim still to make (none when the rules alone hold the file). */
export interface CheckedInstance {
  readonly findings: readonly Finding[];
  readonly sopClaim?: SopClaim;
}

/**
 * Instance-level QA on a verified, de-identified copy with the project's rules, then the SOP Instance
 * UID claim: a UID already staged with other bytes is a conflict (`uids.duplicate-sop`), caught here so
 * staging never overwrites a released object. `quarantine` sends the file to review, with its result
 * recorded (recordInstanceQa) for the submission's QA report (a repeat records the same result again); the
 * findings of a file that goes on to staging are recorded with its outcome, in the staging transaction (no write
 * of their own).
 *
 * In two halves: the rules and the claim to make (here), then the decision once the claim is made (claimSopUid for
 * one object; an ingest batch makes its copies' claims together, IntakeRepository.claimSopsTogether).
 */
export function checkInstanceRules(input: InstanceQaInput): CheckedInstance {
  const { submissionId, fileId, deid } = input;
  // Only a copy the verifier passed gets here, so deid.verified is recorded as passed.
  const checked = checkInstance(deid.bytes, {
    config: input.config,
    deidOutcome: deid.outcome,
    pixelReview: deid.pixelReview,
    ...(deid.pixelsCleared ? { pixelsCleared: true } : {}),
    verification: VERIFIED,
  });
  if (!checked.uids || qaDecision(checked.findings) === 'quarantine') return { findings: checked.findings };
  return {
    findings: checked.findings,
    sopClaim: { ...sopClaimOf(checked.uids, input.copySha256), fileId, submissionId, at: new Date().toISOString() },
  };
}

/**
 * Instance QA's decision once the claim was made: `holder`, the file that holds the SOP UID with other
 * bytes (undefined: the claim is this file's). A held file's result is recorded for the QA report.
 */
export async function recordInstanceQa(
  { submissionId, fileId }: Pick<InstanceQaInput, 'submissionId' | 'fileId'>,
  checked: CheckedInstance,
  holder: string | undefined,
): Promise<QaResult> {
  const findings: Finding[] = [...checked.findings];
  if (holder) findings.push(duplicateSopFinding(holder));
  const outcome = qaDecision(findings);
  const result: QaResult = { outcome, findings: findings.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })) };
  if (outcome === 'quarantine') {
    await qaRepository().putFileResult({ submissionId, fileId, outcome, findings: result.findings, evaluatedAt: new Date().toISOString() });
  }
  return result;
}
