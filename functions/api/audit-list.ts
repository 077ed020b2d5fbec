import { z } from 'zod';
import { InvalidAuditCursor } from '../../layers/adapters/aws/dynamodb/audit-history';
import { BadRequest } from '../../layers/common/errors';
import { pageCursorSealer } from '../../layers/adapters/aws/page-cursor-key';
import { httpHandler } from '../../layers/adapters/aws/http';
import { auditHistory } from '../../layers/services/commons-context';

/**
 * GET /audit (admins): audit events newest first, filtered by actor (subject),
 * action, resource (`type:id` or a type), and a time window (from/to, ISO 8601);
 * paginated with `limit` and `cursor`.
 */
export const handler = httpHandler(
  {
    pageCursors: pageCursorSealer,
    query: z
      .object({
        actor: z.string().min(1).max(200).optional(),
        action: z
          .string()
          .regex(/^[a-z0-9.-]{1,64}$/, 'must be an action such as grant.revoke')
          .optional(),
        resource: z.string().min(1).max(300).optional(),
        from: z.string().datetime({ offset: true }).optional(),
        to: z.string().datetime({ offset: true }).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        cursor: z.string().max(4000).optional(),
      })
      .strict(),
  },
  async function listAuditLog({ query, cursors }) {
    try {
      const page = await auditHistory().list(
        { actor: query.actor, action: query.action, resource: query.resource, from: iso(query.from), to: iso(query.to) },
        query.limit,
        query.cursor ? await cursors.open(query.cursor) : undefined,
      );
      return { statusCode: 200, body: { events: page.items, ...(page.cursor ? { cursor: await cursors.seal(page.cursor) } : {}) } };
    } catch (error) {
      if (error instanceof InvalidAuditCursor) throw new BadRequest(error.message);
      throw error;
    }
  },
);

/** Events are stamped in UTC (`...Z`); a bound with another offset is compared in UTC too. */
function iso(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}
