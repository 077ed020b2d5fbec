import { z } from 'zod';
import { isGrantActive } from '../../layers/access';
import { httpHandler } from '../../layers/adapters/aws/http';
import { accessRepository } from '../../layers/services/commons-context';

/**
 * GET /grants: the caller's own grants (researchers); every grant record for the
 * DAC and admins (`?status=active|revoked|expired|all`, default active). A grant past
 * its expiry is expired at once, whether or not DynamoDB's TTL has deleted it yet.
 */
export const handler = httpHandler(
  {
    query: z.object({ status: z.enum(['active', 'revoked', 'expired', 'all']).default('active') }).strict(),
  },
  async function listGrants({ caller, access, query }) {
    const now = new Date();
    const state = (g: { status?: string; expiresAt?: string }) =>
      g.status === 'revoked' ? 'revoked' : isGrantActive(g, now) ? 'active' : 'expired';
    const all =
      access.level === 'all'
        ? await accessRepository().listGrants()
        : (await accessRepository().grantsFor(caller)).map((g) => ({ ...g, status: 'active' as const }));
    const grants = all.map((g) => ({ ...g, status: state(g) })).filter((g) => query.status === 'all' || g.status === query.status);
    return { statusCode: 200, body: { grants } };
  },
);
