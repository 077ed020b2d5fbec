import { buildReport, type Finding, type QaReport, type ReportFileInput } from '../qa';
import type { Submission, SubmissionFile } from '../catalog/entities';
import type { FileQaResult, QuarantineRecord } from '../catalog/qa-entities';
import { intakeRepository } from './commons-context';
import { qaRepository } from './qa-context';

/**
 * Builds a submission's QA report from the catalog: each file's outcome, the
 * instance findings QA recorded, the quarantine records (with curator decisions),
 * and the series/study/submission findings. `final` once the submission workflow
 * has written its QA result and no file is pending.
 */
export async function submissionReport(submission: Submission, generatedAt: string): Promise<QaReport> {
  const [files, results, submissionResult] = await Promise.all([
    intakeRepository().listFiles(submission.submissionId),
    qaRepository().listFileResults(submission.submissionId),
    qaRepository().getSubmissionResult(submission.submissionId),
  ]);
  // A staged file has a record too when a curator admitted it from quarantine (the report shows the review).
  const quarantine = await qaRepository().getQuarantines(files.map((f) => f.fileId));
  const resultByFile = new Map(results.map((r) => [r.fileId, r]));
  const inputs = files.map((file) => reportFileInput(file, resultByFile.get(file.fileId), quarantine.get(file.fileId)));
  const pending = inputs.some((f) => f.state === 'pending');
  const findings: Finding[] = (submissionResult?.findings ?? []).filter((f) => !f.fileId || f.severity === 'warn');
  return buildReport({
    source: 'commons',
    generatedAt,
    final: !pending && submissionResult !== undefined,
    submission: { submissionId: submission.submissionId, project: submission.project, site: submission.site, status: submission.status },
    files: inputs,
    findings,
  });
}

/** One file's line of the report, from its catalog record, its QA result item (if any) and its quarantine record (if any). */
export function reportFileInput(
  file: SubmissionFile,
  result: FileQaResult | undefined,
  record: QuarantineRecord | undefined,
): ReportFileInput {
  const ownRecord = record && record.submissionId === file.submissionId ? record : undefined;
  const review = ownRecord?.review
    ? { review: { action: ownRecord.review.action, at: ownRecord.review.at, overrides: ownRecord.review.overrides } }
    : {};
  const quarantineId = ownRecord ? { quarantineId: ownRecord.quarantineId } : {};
  if (file.status === 'quarantined') {
    const findings = ownRecord?.findings ?? [
      { ruleId: file.reasonCode ?? 'pipeline.error', severity: 'quarantine' as const, message: file.reason ?? 'quarantined' },
    ];
    return { fileId: file.fileId, state: 'quarantine', findings, ...quarantineId, ...review };
  }
  if (file.status === 'missing') return { fileId: file.fileId, state: 'missing', findings: [] };
  if (file.status === 'announced') return { fileId: file.fileId, state: 'pending', findings: [] };
  // Staged: the warnings QA recorded, with the outcome (qaFindings) or, for a file admitted from quarantine or staged
  // before they were kept on the file, in its result item (an admitted file keeps its overridden findings as warnings).
  const findings = (file.qaFindings ?? result?.findings ?? []).map((f) =>
    f.severity === 'quarantine' ? { ...f, severity: 'warn' as const } : f,
  );
  return { fileId: file.fileId, findings, ...quarantineId, ...review };
}
