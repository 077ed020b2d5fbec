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
import { claimSopUid } from './sop-claim';

/**
 * Instance-level QA on a verified, de-identified copy with the project's rules, then the SOP Instance
 * UID claim: a UID already staged with other bytes is a conflict (`uids.duplicate-sop`), caught here so
 * staging never overwrites a released object. `quarantine` sends the file to review, with its result
 * recorded here for the submission's QA report (a repeat records the same result again); the findings of
 * a file that goes on to staging are recorded with its outcome, in the staging transaction (no write of
 * their own).
 */
export async function decideInstanceQa(input: {
  readonly submissionId: string;
  readonly fileId: string;
  readonly config: QaConfig;
  /** The de-identify step's answer: the copy and its pixel-review decision. */
  readonly deid: DeidentifiedInstance;
  /** SHA-256 of `deid.bytes` (`sha256Of`), computed once for the claim and the staging. */
  readonly copySha256: Uint8Array;
}): Promise<QaResult> {
  const { submissionId, fileId, deid } = input;
  // Only a copy the verifier passed gets here, so deid.verified is recorded as passed.
  const checked = checkInstance(deid.bytes, {
    config: input.config,
    deidOutcome: deid.outcome,
    pixelReview: deid.pixelReview,
    ...(deid.pixelsCleared ? { pixelsCleared: true } : {}),
    verification: VERIFIED,
  });
  const findings: Finding[] = [...checked.findings];
  if (checked.uids && qaDecision(checked.findings) !== 'quarantine') {
    const holder = await claimSopUid({ ...sopClaimOf(checked.uids, input.copySha256), fileId, submissionId, at: new Date().toISOString() });
    if (holder) findings.push(duplicateSopFinding(holder));
  }
  const outcome = qaDecision(findings);
  const result: QaResult = { outcome, findings: findings.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })) };
  if (outcome === 'quarantine') {
    await qaRepository().putFileResult({ submissionId, fileId, outcome, findings: result.findings, evaluatedAt: new Date().toISOString() });
  }
  return result;
}
