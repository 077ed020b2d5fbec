import { z } from 'zod';
import { contributingSitesOf } from '../../layers/access';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { slug } from '../../layers/common/id-schemas';
import { projectRepository } from '../../layers/services/commons-context';
import { loadQaConfig } from '../../layers/qa';
import { qaRepository } from '../../layers/services/qa-context';

/**
 * GET /projects/{project}/qa-config (curators; site uploaders of the project's contributing
 * sites): the QA configuration the pipeline applies to the project's files, the defaults when a
 * curator set none (`custom: false`). A site checks its files with it before upload (the portal's
 * browser upload). A site that does not contribute, like a project that does not exist, is
 * answered 404, as GET /projects/{project}/site-key answers it: no probing of project names.
 */
export const handler = httpHandler({ path: z.object({ project: slug }) }, async function getQaConfig({ caller, path, access }) {
  const project = await projectRepository().getProject(path.project);
  if (!project || (access.level !== 'all' && contributingSitesOf(caller, project).length === 0)) {
    throw new NotFound(`no such project for you: '${path.project}' does not exist or lists none of your sites as a contributor`);
  }
  const stored = await qaRepository().getProjectConfig(project.projectId);
  return { statusCode: 200, body: { project: project.projectId, custom: stored !== undefined, config: loadQaConfig(stored) } };
});
