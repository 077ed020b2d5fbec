import { z } from 'zod';
import { contributingSitesOf } from '../../layers/access';
import { Forbidden, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { logger } from '../../layers/common/powertools';
import { keyFingerprint } from '../../layers/dicom/deidentify/key-fingerprint';
import { catalog, currentDeidKey } from '../shared/context';
import { slug } from '../shared/schemas';

/**
 * GET /projects/{project}/site-key (site uploaders): the project's current
 * de-identification key, for a site that de-identifies locally (`hilum upload
 * --deid-at-site`, `hilum gateway`). Only a site the project lists as a contributor
 * gets it, so a site holds the key of its own projects and no other: it cannot
 * compute another project's pseudonyms or UIDs. Every issue is audited (project,
 * sites, version); the key itself is never logged or audited, and the answer is
 * `no-store`.
 */
export const handler = httpHandler({
  path: z.object({ project: slug }),
}, async ({ caller, path, audit }) => {
  const project = await catalog().getProject(path.project);
  if (!project) throw new NotFound(`no such project '${path.project}'`);
  const sites = contributingSitesOf(caller, project);
  audit.resource('project', project.projectId);
  if (sites.length === 0) {
    throw new Forbidden(`none of your sites (${caller.uploaderSites.join(', ')}) contributes to project '${project.projectId}'; a curator lists contributing sites with PUT /projects/${project.projectId}/sites`);
  }
  const key = await currentDeidKey(project.projectId);
  audit.record({ action: 'deid-key.issue', targetType: 'project', targetId: project.projectId, details: { sites, version: key.version } });
  logger.info('project key issued to a site', { project: project.projectId, sites, version: key.version });
  return {
    statusCode: 200,
    body: { project: project.projectId, version: key.version, fingerprint: keyFingerprint({ secret: key.secret, project: project.projectId }), key: key.secret },
  };
});
