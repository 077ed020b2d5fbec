import { hasRole } from '../../layers/common/auth';
import { inScope } from '../../layers/catalog/visibility';
import { httpHandler } from '../../layers/common/http';
import { catalog } from '../shared/context';
import { scopeOf } from '../search/scope';

/** GET /projects: the projects the caller may see (curators: all, with their settings). */
export const handler = httpHandler({ roles: ['researcher', 'curator', 'admin'] }, async ({ caller }) => {
  const projects = await catalog().listProjects();
  if (hasRole(caller, 'curator') || hasRole(caller, 'admin')) return { statusCode: 200, body: { projects } };
  const scope = await scopeOf(caller);
  const visible = projects.filter((p) => inScope(scope, p.projectId))
    .map(({ projectId, name, availability, description }) => ({ projectId, name, availability, ...(description ? { description } : {}) }));
  return { statusCode: 200, body: { projects: visible } };
});
