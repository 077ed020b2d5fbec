import { renderReportMarkdown } from '../../layers/qa';
import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { submissionInput, type QaReportResult } from '../../layers/pipeline/submission-states';
import { intakeRepository } from '../../layers/services/commons-context';
import { storeReport } from '../../layers/services/store-qa-report';
import { submissionReport } from '../../layers/services/submission-qa-report';
import { SubmissionNotSealed } from './index-submission';

/** Last state of the submission workflow: writes the QA report (JSON and Markdown) to the released bucket under reports/. */
export const handler = taskHandler(submissionInput, async function writeQaReport({ submissionId }): Promise<QaReportResult> {
  const submission = await intakeRepository().getSubmission(submissionId);
  if (!submission || submission.status === 'open') throw new SubmissionNotSealed('the submission is not sealed');
  const report = await submissionReport(submission, new Date().toISOString());
  const keys = await storeReport(report, renderReportMarkdown(report));
  logger.info('qa report stored', { submissionId, quarantined: report.counts.quarantine, warnings: report.warnings.length });
  return { submissionId, reportKey: keys.json, quarantined: report.counts.quarantine, warnings: report.warnings.length };
});
