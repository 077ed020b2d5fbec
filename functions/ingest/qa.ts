import type { Finding } from '../../layers/qa';
import { UnknownUpload } from '../../layers/common/errors';
import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { checkInstance, duplicateSopFinding, qaDecision, sopClaimOf, VERIFIED } from '../../layers/ingest/process-instance';
import { qaInput, type QaResult } from '../../layers/pipeline/ingest-states';
import { objects, intakeRepository } from '../../layers/services/commons-context';
import { projectQaConfig, qaRepository } from '../../layers/services/qa-context';
import { claimSopUid } from '../../layers/services/sop-claim';

/**
 * Instance-level QA on the verified, de-identified copy with the project's rules,
 * then the SOP Instance UID claim: a UID already staged with other bytes is a
 * conflict (`uids.duplicate-sop`), caught here so Stage never overwrites a
 * released object. The findings are recorded for the submission's QA report;
 * `quarantine` routes the file to review.
 */
export const handler = taskHandler(
  qaInput,
  async function checkInstanceQa({ bucket, workKey, deidOutcome, pixelReview, pixelsCleared, submissionId, fileId }): Promise<QaResult> {
    const submission = await intakeRepository().getSubmission(submissionId);
    if (!submission) throw new UnknownUpload('the submission does not exist');
    const bytes = await objects().getBytes(bucket, workKey);
    if (!bytes) throw new UnknownUpload('the de-identified copy is missing');
    const config = await projectQaConfig(submission.project);
    // The verifier passed (Verify throws otherwise), so deid.verified is recorded as passed.
    const checked = checkInstance(bytes, {
      config,
      deidOutcome,
      ...(pixelReview ? { pixelReview } : {}),
      ...(pixelsCleared ? { pixelsCleared } : {}),
      verification: VERIFIED,
    });
    const findings: Finding[] = [...checked.findings];

    if (checked.uids && qaDecision(checked.findings) !== 'quarantine') {
      const holder = await claimSopUid({ ...sopClaimOf(checked.uids, bytes), fileId, submissionId, at: new Date().toISOString() });
      if (holder) findings.push(duplicateSopFinding(holder));
    }

    const outcome = qaDecision(findings);
    const result: QaResult = { outcome, findings: findings.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })) };
    await qaRepository().putFileResult({ submissionId, fileId, outcome, findings: result.findings, evaluatedAt: new Date().toISOString() });
    logger.info('qa', { submissionId, fileId, outcome, rules: findings.map((f) => f.ruleId) });
    return result;
  },
);
