import { z } from 'zod';
import { InvalidQuarantineCursor } from '../../layers/adapters/aws/dynamodb/qa-repository';
import { BadRequest } from '../../layers/common/errors';
import { pageCursorSealer } from '../../layers/adapters/aws/page-cursor-key';
import { httpHandler } from '../../layers/adapters/aws/http';
import { slug, uuid } from '../../layers/common/id-schemas';
import { qaRepository } from '../../layers/services/qa-context';

/** GET /quarantine (curators): quarantined files, newest first, filtered by project, rule, submission and review status; paginated. */
export const handler = httpHandler(
  {
    pageCursors: pageCursorSealer,
    query: z.object({
      project: slug.optional(),
      rule: z
        .string()
        .regex(/^[A-Za-z0-9.-]{1,64}$/, 'must be a rule id')
        .optional(),
      submission: uuid.optional(),
      status: z.enum(['quarantined', 'released', 'rejected']).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
      cursor: z.string().max(2000).optional(),
    }),
  },
  async function listQuarantine({ query, cursors }) {
    try {
      const page = await qaRepository().listQuarantine(
        { project: query.project, ruleId: query.rule, submissionId: query.submission, status: query.status },
        query.limit,
        query.cursor ? await cursors.open(query.cursor) : undefined,
      );
      return { statusCode: 200, body: { items: page.items, ...(page.cursor ? { cursor: await cursors.seal(page.cursor) } : {}) } };
    } catch (error) {
      if (error instanceof InvalidQuarantineCursor) throw new BadRequest(error.message);
      throw error;
    }
  },
);
