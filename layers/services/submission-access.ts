import { Submission } from '../catalog/entities';
import type { Caller } from '../access/caller';
import { mayActOnSubmission } from '../access';
import { Forbidden, NotFound } from '../common/errors';
import { intakeRepository } from './commons-context';

/**
 * Loads a submission the caller may act on: its site's uploaders (and, to read,
 * curators). Another site's submission is reported as not found, not forbidden,
 * so ids cannot be probed.
 */
export async function loadSubmissionFor(caller: Caller, submissionId: string, mode: 'read' | 'write'): Promise<Submission> {
  const submission = await intakeRepository().getSubmission(submissionId);
  if (!submission || !mayActOnSubmission(caller, submission, mode)) throw new NotFound('no such submission');
  return submission;
}

export function requireOpen(submission: Submission): void {
  if (submission.status !== 'open') throw new Forbidden(`the submission is ${submission.status}, not open`);
}
