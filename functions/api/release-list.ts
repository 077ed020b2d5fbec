import { httpHandler } from '../../layers/common/http';
import { catalog } from '../shared/context';

/** GET /releases: every release, newest first, with its counts. Storage keys are the curators' business. */
export const handler = httpHandler({}, async () => {
  const releases = (await catalog().listReleases()).map(({ manifestKey: _m, snapshotKey: _s, exportPrefix: _e, ...visible }) => visible);
  return { statusCode: 200, body: { releases } };
});
