import { z } from 'zod';
import type { Submission } from '../../layers/catalog/entities';
import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { intakeRepository } from '../../layers/services/commons-context';
import { qaRepository } from '../../layers/services/qa-context';
import { markMissingFiles } from '../../layers/services/missing-files';
import { announceIfReady } from '../../layers/services/submission-readiness';

/**
 * Marks never-received files of sealed submissions `missing` after their
 * project's grace period. Runs on a schedule in AWS; `submissionId` checks one
 * submission, `now` and `graceHours` let tests and operators move the clock.
 * Without a submission id it scans for sealed submissions: a full-table scan
 * with a filter, cheap at today's sizes; a sparse "sealed" index is the
 * follow-up when the catalog grows (docs/qa.md).
 */
export const handler = taskHandler(z.object({
  submissionId: z.string().uuid().optional(),
  now: z.string().datetime().optional(),
  graceHours: z.number().nonnegative().optional(),
}).passthrough(), async function sweepMissingFiles({ submissionId, now, graceHours }) {
  const at = now ? new Date(now) : new Date();
  const submissions = submissionId ? [await intakeRepository().getSubmission(submissionId)].filter((s): s is Submission => !!s) : await qaRepository().listSealedSubmissions();
  let marked = 0;
  let announced = 0;
  for (const submission of submissions) {
    marked += (await markMissingFiles(submission, at, graceHours)).length;
    // A ready submission still unpublished long after its announcement (lost, or its workflow failed) is announced again.
    if (await announceIfReady(submission.submissionId, at)) announced += 1;
  }
  logger.info('missing-file sweep', { submissions: submissions.length, marked, announced });
  return { submissions: submissions.length, marked, announced };
});
