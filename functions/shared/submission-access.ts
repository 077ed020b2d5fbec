import { Submission } from '../../layers/catalog/entities';
import type { Caller } from '../../layers/access/caller';
import { mayActOnSubmission } from '../../layers/access';
import { Forbidden, NotFound } from '../../layers/common/errors';
import { catalog } from '../../layers/services/commons-context';

/**
 * Loads a submission the caller may act on: its site's uploaders (and, to read,
 * curators). Another site's submission is reported as not found, not forbidden,
 * so ids cannot be probed.
 */
export async function loadSubmissionFor(caller: Caller, submissionId: string, mode: 'read' | 'write'): Promise<Submission> {
  const submission = await catalog().getSubmission(submissionId);
  if (!submission || !mayActOnSubmission(caller, submission, mode)) throw new NotFound('no such submission');
  return submission;
}

export function requireOpen(submission: Submission): void {
  if (submission.status !== 'open') throw new Forbidden(`the submission is ${submission.status}, not open`);
}
