import { countScope, releaseCountsFor, seesEverything } from '../../layers/access';
import { httpHandler } from '../../layers/adapters/aws/http';
import { accessRepository, releaseRepository, projectRepository } from '../../layers/services/commons-context';

/**
 * GET /releases: every release, newest first, with its counts over the projects the
 * caller may count (curators: all, with the counts per project; researchers: open,
 * granted and counts-visible projects, never sequestered ones). Storage keys are the
 * curators' business, and so is who cut a release (`createdBy`, a curator's subject
 * id: no other user's id is given to a researcher). The notes are kept: a curator
 * writes them for the release's users.
 */
export const handler = httpHandler({}, async function listReleases({ caller }) {
  const list = await releaseRepository().listReleases();
  const scope = seesEverything(caller)
    ? 'all'
    : countScope(caller, await projectRepository().listProjects(), await accessRepository().grantsFor(caller));
  const releases = list.map((release) => {
    const {
      manifestKey: _m,
      snapshotKey: _s,
      exportPrefix: _e,
      createdBy,
      studyCount: _sc,
      seriesCount: _se,
      instanceCount: _i,
      totalBytes: _b,
      projects: _p,
      openProjects: _o,
      sequestrationKey: _k,
      ...described
    } = release;
    return { ...described, ...(scope === 'all' ? { createdBy } : {}), ...releaseCountsFor(release, scope) };
  });
  return { statusCode: 200, body: { releases } };
});
