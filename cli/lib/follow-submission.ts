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

/**
 * When to ask about a submission again while its files are decided (`hilum upload --wait`): at the end the
 * progress seen so far points to, between `minMs` and the longest wait. A fixed 2 s noticed the last outcome 0-2 s
 * late (the benchmark waits for the client); asking at the estimated end notices it sooner with a few more requests
 * (each a priced API Gateway request): while the end is far the wait is the longest, and each look that finds
 * nothing new doubles the next wait, so a wrong estimate costs a few.
 *
 * Two things the pace cannot foresee are watched more closely (bench/timeline.ts showed them as the cores' idle
 * time at the end of `bench ingest`): files are decided a batch at a time, so the pace says nothing for seconds and
 * the wait doubled to 2 s across the last outcomes; and the publication comes after the last outcome by the
 * submission workflow's length (0.5-1.5 s), which doubling waits from 0.25 s noticed up to a second late. So the
 * longest wait is a twentieth of the time waited so far, at least half of `maxMs` (a 10 s upload is noticed at most
 * ~1 s late, a 10 minute one at most `maxMs`), and for PUBLICATION_WATCH_MS after the last outcome the look comes
 * every `publicationMs`: a tenth of a second, as every quarter noticed the publication ~0.13 s late on average (up to
 * 0.28 s of a 6 s radiograph set in bench/timeline.ts), for a few more requests a submission (GetSubmission with
 * counts only).
 */
export class PollSchedule {
  private first: { readonly at: number; readonly decided: number } | undefined;
  private lastDecided = -1;
  private misses = 0;
  private allDecidedAt: number | undefined;

  /** `startedAt`: when the files began to arrive (the upload's start), in the clock's milliseconds. */
  constructor(
    private readonly startedAt: number,
    private readonly bounds: { readonly minMs: number; readonly maxMs: number; readonly publicationMs: number } = {
      minMs: 250,
      maxMs: 2000,
      publicationMs: 100,
    },
  ) {}

  /** The wait before the next look, given what this look saw: `decided` of `total` files have their outcome at `now`. */
  next(decided: number, total: number, now: number): number {
    const { minMs, maxMs, publicationMs } = this.bounds;
    this.misses = decided > this.lastDecided ? 0 : this.misses + 1;
    this.lastDecided = decided;
    const firstLook = this.first === undefined;
    this.first ??= { at: now, decided };
    const remaining = Math.max(0, total - decided);
    if (remaining === 0) {
      this.allDecidedAt ??= now;
      if (now - this.allDecidedAt < PUBLICATION_WATCH_MS) return publicationMs;
    }
    // Files decided but not all at the first look: the next look comes soon, to measure the pipeline's own pace. The
    // pace since the upload's start counts the announcement and the batches in flight (decided together at their
    // end), so it put the end of a 300-slice set 2 s away when it was 0.3 s away and the publication was seen 0.7 s late.
    if (firstLook && decided > 0 && remaining > 0) return minMs;
    // The pace since the first look once it moved (the pipeline's own), else since the files began to arrive.
    const sinceFirst = decided - this.first.decided;
    const perMs = sinceFirst > 0 && now > this.first.at ? sinceFirst / (now - this.first.at) : decided / Math.max(1, now - this.startedAt);
    const estimate = remaining === 0 ? minMs : perMs > 0 ? remaining / perMs : maxMs;
    const longest = Math.min(maxMs, Math.max(maxMs / 2, (now - this.startedAt) / 20));
    return Math.round(Math.min(longest, Math.max(minMs, estimate) * 2 ** this.misses));
  }
}

/** After the last outcome, how long `--wait` looks every `publicationMs` for the publication: about the submission workflow's length. */
export const PUBLICATION_WATCH_MS = 2000;

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
