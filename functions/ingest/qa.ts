import { createHash } from 'node:crypto';
import { evaluateInstance, type Finding } from '../../layers/qa';
import { UnknownUpload } from '../../layers/common/errors';
import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { QA_TAG } from '../../layers/qa/dataset-view';
import { qaInput, type QaResult } from '../../layers/pipeline/ingest-states';
import { catalog, objects } from '../../layers/services/commons-context';
import { projectQaConfig, qaRepository } from '../../layers/services/qa-context';

/**
 * Instance-level QA on the verified, de-identified copy with the project's rules,
 * then the SOP Instance UID claim: a UID already staged with other bytes is a
 * conflict (`uids.duplicate-sop`), caught here so Stage never overwrites a
 * released object. The findings are recorded for the submission's QA report;
 * `quarantine` routes the file to review.
 */
export const handler = taskHandler(qaInput, async ({ bucket, workKey, deidOutcome, submissionId, fileId }): Promise<QaResult> => {
  const submission = await catalog().getSubmission(submissionId);
  if (!submission) throw new UnknownUpload('the submission does not exist');
  const bytes = await objects().getBytes(bucket, workKey);
  if (!bytes) throw new UnknownUpload('the de-identified copy is missing');
  const config = await projectQaConfig(submission.project);
  // The verifier passed (Verify throws otherwise), so deid.verified is recorded as passed.
  const evaluation = evaluateInstance(bytes, { config, deidOutcome, verification: { passed: true, failedChecks: [] } });
  const findings: Finding[] = [...evaluation.findings];

  const view = evaluation.view;
  if (view && evaluation.outcome !== 'quarantine') {
    const conflict = await claimSop({
      studyUid: view.text(QA_TAG.StudyInstanceUID), seriesUid: view.text(QA_TAG.SeriesInstanceUID), sopUid: view.text(QA_TAG.SOPInstanceUID),
      sha256: createHash('sha256').update(bytes).digest('hex'), fileId, submissionId, at: new Date().toISOString(),
    });
    if (conflict) findings.push({ ruleId: 'uids.duplicate-sop', severity: 'quarantine', message: `SOPInstanceUID already received with different content (first in file ${conflict})` });
  }

  const outcome = findings.some((f) => f.severity === 'quarantine') ? 'quarantine' : findings.length ? 'warn' : 'pass';
  const result: QaResult = { outcome, findings: findings.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })) };
  await qaRepository().putFileResult({ submissionId, fileId, outcome, findings: result.findings, evaluatedAt: new Date().toISOString() });
  logger.info('qa', { submissionId, fileId, outcome, rules: findings.map((f) => f.ruleId) });
  return result;
});

/** Claims the SOP UID; returns the holder's file id on a conflict, undefined when this file may stage. */
async function claimSop(claim: Parameters<ReturnType<typeof qaRepository>['claimSop']>[0]): Promise<string | undefined> {
  const first = await qaRepository().claimSop(claim);
  if (first.claimed) return undefined;
  // A holder that never reached the released bucket (quarantined, missing) gives way.
  const holder = await catalog().getFile(first.holder.submissionId, first.holder.fileId);
  if (holder && (holder.status === 'quarantined' || holder.status === 'missing') && await qaRepository().takeOverSop(claim, first.holder.fileId)) return undefined;
  return first.holder.fileId;
}
