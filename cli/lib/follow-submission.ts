import type { HilumApi } from './api-client';
import { localNames, nextSteps, quarantineLines, type SubmissionOutcome } from './submission-outcome';

/**
 * Follows a sealed submission until the pipeline has decided every file, for a
 * process that goes on working meanwhile (the gateway): the waits do not keep the
 * process alive, and undefined comes back when the pipeline takes longer than `timeoutMs`.
 */
export async function awaitVerdict(
  api: HilumApi,
  submissionId: string,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<SubmissionOutcome | undefined> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60 * 1000);
  for (;;) {
    const submission = await api.getSubmission(submissionId);
    if (submission.status === 'published') return submission;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2000).unref());
  }
}

/** One study's outcome as log lines: published, or which instances were quarantined and why, and what to do. */
export function verdictLines(
  label: string,
  submissionId: string,
  submission: SubmissionOutcome,
  files: Readonly<Record<string, { readonly fileId: string }>>,
): string[] {
  const total = submission.stagedCount + submission.quarantinedCount;
  if (submission.quarantinedCount === 0)
    return [`${label}: submission ${submissionId} published: ${submission.stagedCount} instance(s), none quarantined`];
  // The commons checks the site's de-identification with the project's key: every instance fails alike with another key.
  const wrongKey = submission.files.some((f) => f.status === 'quarantined' && f.reason?.includes('project-key'));
  return [
    `${label}: submission ${submissionId} published with ${submission.quarantinedCount} of ${total} instance(s) quarantined:`,
    ...quarantineLines(submission, localNames(files)),
    ...(wrongKey
      ? [
          "next: the de-identification secret used here is not the project's (project-key): fix --secret-file (or HILUM_DEID_SECRET), restart the gateway and send the study again",
        ]
      : nextSteps(submission.quarantinedCount)),
  ];
}
