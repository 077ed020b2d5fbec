import { z } from 'zod';
import { httpHandler } from '../../layers/common/http';
import { accessRepository } from './access/repos';

/** GET /access-requests[?status=pending|approved|denied]: the caller's own requests; the DAC and admins see all. */
export const handler = httpHandler({
  query: z.object({ status: z.enum(['pending', 'approved', 'denied']).optional() }).strict(),
}, async ({ caller, access, query }) => {
  const requests = access.level === 'all'
    ? await accessRepository().listRequests(query.status)
    : (await accessRepository().listRequestsOf(caller.subject)).filter((r) => !query.status || r.status === query.status);
  return { statusCode: 200, body: { requests } };
});
