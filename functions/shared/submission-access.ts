import { Submission } from '../../layers/catalog/entities';
import { Caller, hasRole } from '../../layers/common/auth';
import { Forbidden, NotFound } from '../../layers/common/errors';
import { catalog } from './context';

/**
 * Loads a submission the caller may act on: its site's uploaders (and, to read,
 * curators). Another site's submission is reported as not found, not forbidden,
 * so ids cannot be probed.
 */
export async function loadSubmissionFor(caller: Caller, submissionId: string, mode: 'read' | 'write'): Promise<Submission> {
  const submission = await catalog().getSubmission(submissionId);
  const isUploader = submission ? caller.uploaderSites.includes(submission.site) : false;
  const isCurator = mode === 'read' && hasRole(caller, 'curator');
  if (!submission || (!isUploader && !isCurator)) throw new NotFound('no such submission');
  return submission;
}

export function requireOpen(submission: Submission): void {
  if (submission.status !== 'open') throw new Forbidden(`the submission is ${submission.status}, not open`);
}
