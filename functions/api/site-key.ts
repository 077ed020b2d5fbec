import { z } from 'zod';
import { contributingSitesOf } from '../../layers/access';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { keyFingerprint } from '../../layers/dicom';
import { currentDeidKey, projectRepository } from '../../layers/services/commons-context';
import { slug } from '../../layers/common/id-schemas';

/**
 * GET /projects/{project}/site-key (site uploaders): the project's current
 * de-identification key, for a site that de-identifies locally (`hilum upload
 * --deid-at-site`, `hilum gateway`). Only a site the project lists as a contributor
 * gets it, so a site holds the key of its own projects and no other: it cannot
 * compute another project's pseudonyms or UIDs. Any other project, existing or not,
 * is answered the same 404 (audited with which it was). Every issue is audited (project,
 * sites, version); the key itself is never logged or audited, and the answer is
 * `no-store`.
 */
export const handler = httpHandler(
  {
    path: z.object({ project: slug }),
  },
  async function issueSiteKey({ caller, path, audit }) {
    const project = await projectRepository().getProject(path.project);
    const sites = project ? contributingSitesOf(caller, project) : [];
    audit.resource('project', path.project);
    if (!project || sites.length === 0) {
      // One answer for both, as for POST /submissions: no probing of project names.
      audit.deny(project ? 'site-not-a-contributor' : 'not-found');
      throw new NotFound(
        `no such project for your sites (${caller.uploaderSites.join(', ')}): '${path.project}' does not exist or lists none of them as a contributor; a curator lists contributing sites with PUT /projects/{project}/sites`,
      );
    }
    const key = await currentDeidKey(project.projectId);
    audit.record({
      action: 'deid-key.issue',
      targetType: 'project',
      targetId: project.projectId,
      details: { sites, version: key.version },
    });
    logger.info('project key issued to a site', { project: project.projectId, sites, version: key.version });
    return {
      statusCode: 200,
      body: {
        project: project.projectId,
        version: key.version,
        fingerprint: keyFingerprint({ secret: key.secret, project: project.projectId }),
        key: key.secret,
      },
    };
  },
);
