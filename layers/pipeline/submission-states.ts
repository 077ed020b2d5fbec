import { z } from 'zod';
import { submissionReadyDetail } from './events';

/**
 * The data contract of every state of the submission workflow, one execution per "Submission Ready"
 * event on the hilum bus (the execution input is that event):
 *   StudyQa -> IndexSubmission -> PublishSubmission -> QaReport -> RebuildSnapshot, Retry on transient errors, Catch -> Fail.
 * Every task takes the submission of the event; its result lands under the key `submissionResults` names.
 */
export const submissionExecutionInput = z.object({ detail: submissionReadyDetail });
export type SubmissionExecutionInput = z.infer<typeof submissionExecutionInput>;

export const submissionInput = z.object({ submissionId: z.string().uuid() });
export type SubmissionInput = z.infer<typeof submissionInput>;

/** $.studyQa: series/study and submission rules ran; `quarantined` staged files went back to quarantine. */
export const studyQaResult = z.object({ submissionId: z.string(), findings: z.number(), quarantined: z.number() });
export type StudyQaResult = z.infer<typeof studyQaResult>;
/** $.index */
export const indexResult = z.object({ submissionId: z.string(), studyUids: z.array(z.string()), instanceCount: z.number() });
export type IndexResult = z.infer<typeof indexResult>;
/** $.publish: `published`, the submission's studies that are published (IndexSubmission publishes them as it indexes them). */
export const publishResult = z.object({ submissionId: z.string(), published: z.number(), alreadyPublished: z.boolean() });
export type PublishResult = z.infer<typeof publishResult>;
/** $.report: the QA report stored in the released bucket (`reports/{submissionId}/qa-report.json` and `.md`). */
export const qaReportResult = z.object({ submissionId: z.string(), reportKey: z.string(), quarantined: z.number(), warnings: z.number() });
export type QaReportResult = z.infer<typeof qaReportResult>;
/** $.snapshot: the live search snapshot's new version with this submission's studies. */
export const rebuildSnapshotResult = z.object({ submissionId: z.string(), version: z.number(), studies: z.number(), changed: z.number() });
export type RebuildSnapshotResult = z.infer<typeof rebuildSnapshotResult>;

/** Where each task's result lands in the execution state (`$.<key>`). */
export const submissionResults = {
  studyQa: studyQaResult,
  index: indexResult,
  publish: publishResult,
  report: qaReportResult,
  snapshot: rebuildSnapshotResult,
} as const;
export type SubmissionResultKey = keyof typeof submissionResults;
