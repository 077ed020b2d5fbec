import { z } from 'zod';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { projectRepository } from '../../layers/services/commons-context';
import { slug } from '../../layers/common/id-schemas';

/**
 * PUT /projects/{project}/sites (curator, admin): the sites that may open
 * submissions to the project and get its de-identification key. The list replaces
 * the previous one; a site removed here can open no new submission (its open ones
 * keep their files) and can no longer fetch the key, which it may still hold: see
 * docs/deidentification.md for what a departed or compromised site means.
 */
export const handler = httpHandler(
  {
    path: z.object({ project: slug }),
    body: z.object({ sites: z.array(slug).max(200) }).strict(),
  },
  async function saveProjectSites({ path, body, audit }) {
    const sites = [...new Set(body.sites)].sort();
    const project = await projectRepository().setProjectSites(path.project, sites, new Date().toISOString());
    if (!project) throw new NotFound(`no such project '${path.project}'; a curator creates it with POST /projects`);
    audit.resource('project', path.project);
    audit.record({ action: 'project.sites', targetType: 'project', targetId: path.project, details: { sites } });
    logger.info('project sites saved', { project: path.project, sites: sites.length });
    return { statusCode: 200, body: { projectId: path.project, sites } };
  },
);
