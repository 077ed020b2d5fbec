import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { mayContributeTo, mayUploadFor } from '../../layers/access';
import { Conflict, Forbidden, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { currentDeidKeyVersion, projectRepository, intakeRepository } from '../../layers/services/commons-context';
import { slug } from '../../layers/common/id-schemas';
import { submissionSchema } from '../../layers/catalog/submission-schemas';

/** The one refusal for a project that does not exist and for one that does not list the site. */
function noProjectForSite(project: string, site: string): string {
  return `no such project for site ${site}: '${project}' does not exist or does not list the site as a contributor; a curator creates projects (POST /projects) and lists their sites (PUT /projects/{project}/sites)`;
}

/**
 * POST /submissions: a site opens a submission for a project a curator created
 * (POST /projects). A project is never created by a submission: a new name typed
 * at a site must not silently become an open project of patient data. Only a site
 * the project lists as a contributor may open one, so no site can add data to a
 * project, sequestered or not, a curator did not give it. A project that does not
 * list the site is answered 404 exactly like one that does not exist (audited with
 * which it was), so no site can probe project names.
 *
 * The submission pins the version of the project's de-identification key that is
 * current now: all its files and its cases.csv are keyed with that version.
 */
export const handler = httpHandler(
  {
    body: z.object({ project: slug, site: slug, deidentifiedAtSite: z.boolean().optional() }).strict(),
    responses: { 201: submissionSchema },
  },
  async function createSubmission({ caller, body, audit }) {
    if (!mayUploadFor(caller, body.site)) {
      audit.deny('not-a-site-uploader');
      throw new Forbidden(`not a site uploader for site ${body.site}`);
    }
    const project = await projectRepository().getProject(body.project);
    if (!project || !mayContributeTo(caller, project, body.site)) {
      // One answer for both: a site that could tell "no such project" from "not yours"
      // would learn every project name, sequestered ones included. The audit says which.
      const basis = project ? 'site-not-a-contributor' : 'not-found';
      audit.record({ action: 'submission.refused', targetType: 'project', targetId: body.project, details: { site: body.site, basis } });
      audit.deny(basis, { type: 'project', id: body.project });
      throw new NotFound(noProjectForSite(body.project, body.site));
    }
    const deidKeyVersion = await currentDeidKeyVersion(project.projectId);
    if (!deidKeyVersion)
      throw new Conflict(
        `project '${project.projectId}' has no de-identification key; a curator saves the project again (POST /projects) to create it`,
      );
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
    await intakeRepository().createSubmission(submission);
    logger.info('submission opened', {
      submissionId: submission.submissionId,
      project: body.project,
      site: body.site,
      deidentifiedAtSite: body.deidentifiedAtSite === true,
    });
    return { statusCode: 201, body: submission };
  },
);
