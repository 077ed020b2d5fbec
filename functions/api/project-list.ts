import { dataScope, inScope, listedProjects } from '../../layers/access';
import { httpHandler } from '../../layers/adapters/aws/http';
import { accessRepository, projectRepository } from '../../layers/services/commons-context';

/**
 * GET /projects: curators, the DAC and admins see every project with its settings.
 * Researchers see the projects they may request or use (open and restricted, never
 * sequestered), each with `access`: `open`, `granted`, or `request` (ask the DAC).
 */
export const handler = httpHandler({}, async function listProjects({ caller, access }) {
  const projects = await projectRepository().listProjects();
  if (access.level === 'all') return { statusCode: 200, body: { projects } };
  const grants = await accessRepository().grantsFor(caller);
  const scope = dataScope(caller, projects, grants);
  const visible = listedProjects(projects).map(({ projectId, name, availability, description }) => ({
    projectId,
    name,
    availability,
    ...(description ? { description } : {}),
    access: availability === 'open' ? 'open' : inScope(scope, projectId) ? 'granted' : 'request',
  }));
  return { statusCode: 200, body: { projects: visible } };
});
