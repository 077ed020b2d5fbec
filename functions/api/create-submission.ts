import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { mayContributeTo, mayUploadFor } from '../../layers/access';
import { Conflict, Forbidden, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { logger } from '../../layers/common/powertools';
import { catalog, currentDeidKeyVersion } from '../shared/context';
import { slug } from '../shared/schemas';

/**
 * POST /submissions: a site opens a submission for a project a curator created
 * (POST /projects). A project is never created by a submission: a new name typed
 * at a site must not silently become an open project of patient data. Only a site
 * the project lists as a contributor may open one (403 otherwise, audited), so no
 * site can add data to a project, sequestered or not, a curator did not give it.
 *
 * The submission pins the version of the project's de-identification key that is
 * current now: all its files and its cases.csv are keyed with that version.
 */
export const handler = httpHandler({
  body: z.object({ project: slug, site: slug, deidentifiedAtSite: z.boolean().optional() }).strict(),
}, async ({ caller, body, audit }) => {
  if (!mayUploadFor(caller, body.site)) throw new Forbidden(`not a site uploader for site ${body.site}`);
  const project = await catalog().getProject(body.project);
  if (!project) throw new NotFound(`no such project '${body.project}'; a curator creates it with POST /projects`);
  if (!mayContributeTo(caller, project, body.site)) {
    audit.record({ action: 'submission.refused', targetType: 'project', targetId: project.projectId, details: { site: body.site, basis: 'site-not-a-contributor' } });
    audit.deny('site-not-a-contributor', { type: 'project', id: project.projectId });
    throw new Forbidden(`site ${body.site} is not a contributing site of project '${project.projectId}'; a curator adds it with PUT /projects/${project.projectId}/sites`);
  }
  const deidKeyVersion = await currentDeidKeyVersion(project.projectId);
  if (!deidKeyVersion) throw new Conflict(`project '${project.projectId}' has no de-identification key; a curator saves the project again (POST /projects) to create it`);
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
    deidKeyVersion,
  };
  await catalog().createSubmission(submission);
  logger.info('submission opened', { submissionId: submission.submissionId, project: body.project, site: body.site, deidentifiedAtSite: body.deidentifiedAtSite === true });
  return { statusCode: 201, body: submission };
});
