import { z } from 'zod';
import { requestAsSeenByRequester } from '../../layers/access';
import { httpHandler } from '../../layers/adapters/aws/http';
import { accessRepository } from '../../layers/services/commons-context';

/**
 * GET /access-requests[?status=pending|approved|denied]: the caller's own requests
 * (without the projects a cohort request covers: they may name projects hidden from the
 * caller's counts); the DAC and admins see all, in full.
 */
export const handler = httpHandler(
  {
    query: z.object({ status: z.enum(['pending', 'approved', 'denied']).optional() }).strict(),
  },
  async function listAccessRequests({ caller, access, query }) {
    const requests =
      access.level === 'all'
        ? await accessRepository().listRequests(query.status)
        : (await accessRepository().listRequestsOf(caller.subject))
            .filter((r) => !query.status || r.status === query.status)
            .map(requestAsSeenByRequester);
    return { statusCode: 200, body: { requests } };
  },
);
