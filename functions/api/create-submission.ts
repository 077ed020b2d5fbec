import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { mayUploadFor } from '../../layers/access';
import { Forbidden } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { logger } from '../../layers/common/powertools';
import { catalog } from '../shared/context';
import { slug } from '../shared/schemas';

/** POST /submissions: a site opens a submission for a project. */
export const handler = httpHandler({
  body: z.object({ project: slug, site: slug, deidentifiedAtSite: z.boolean().optional() }).strict(),
}, async ({ caller, body }) => {
  if (!mayUploadFor(caller, body.site)) throw new Forbidden(`not a site uploader for site ${body.site}`);
  const submission = {
    submissionId: randomUUID(),
    project: body.project,
    site: body.site,
    status: 'open' as const,
    createdBy: caller.subject,
    createdAt: new Date().toISOString(),
    fileCount: 0,
    handledCount: 0,
    stagedCount: 0,
    quarantinedCount: 0,
    ...(body.deidentifiedAtSite ? { deidentifiedAtSite: true } : {}),
  };
  await catalog().createSubmission(submission);
  logger.info('submission opened', { submissionId: submission.submissionId, project: body.project, site: body.site, deidentifiedAtSite: body.deidentifiedAtSite === true });
  return { statusCode: 201, body: submission };
});
