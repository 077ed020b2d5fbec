/**
 * Creates (or updates) a project as a curator would, before a site submits to it:
 * POST /submissions refuses a project that does not exist and a site the project
 * does not list as a contributor (the same 404), so a test names the sites it uses.
 */
import { HilumApi } from '../../cli/lib/api-client';
import type { Availability } from '../../layers/catalog/commons-entities';

export async function createProject(
  apiUrl: string,
  curatorToken: string,
  projectId: string,
  sites: readonly string[],
  availability: Availability = 'open',
): Promise<void> {
  await new HilumApi(apiUrl, curatorToken).request('POST', '/projects', { projectId, name: projectId, availability, sites });
}
