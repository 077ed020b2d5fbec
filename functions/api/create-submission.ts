import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { mayUploadFor } from '../../layers/access';
import { Forbidden, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { logger } from '../../layers/common/powertools';
import { catalog } from '../shared/context';
import { slug } from '../shared/schemas';

/**
 * POST /submissions: a site opens a submission for a project a curator created
 * (POST /projects). A project is never created by a submission: a new name typed
 * at a site must not silently become an open project of patient data.
 */
export const handler = httpHandler({
  body: z.object({ project: slug, site: slug, deidentifiedAtSite: z.boolean().optional() }).strict(),
}, async ({ caller, body }) => {
  if (!mayUploadFor(caller, body.site)) throw new Forbidden(`not a site uploader for site ${body.site}`);
  if (!(await catalog().getProject(body.project))) throw new NotFound(`no such project '${body.project}'; a curator creates it with POST /projects`);
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
