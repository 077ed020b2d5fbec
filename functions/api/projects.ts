import { z } from 'zod';
import { AVAILABILITIES } from '../../layers/catalog/commons-entities';
import { httpHandler } from '../../layers/common/http';
import { logger } from '../../layers/common/powertools';
import { catalog } from '../shared/context';
import { slug } from '../shared/schemas';

/**
 * POST /projects (curator, admin): creates a project or updates its name,
 * availability, description and settings. A project must exist before a site
 * submits to it (POST /submissions answers 404 otherwise): nothing registers a
 * project implicitly, so its availability is always a curator's decision.
 */
export const handler = httpHandler({
  body: z.object({
    projectId: slug,
    name: z.string().min(1).max(200),
    availability: z.enum(AVAILABILITIES),
    description: z.string().max(2000).optional(),
    settings: z.record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean()])).optional()
      .refine((s) => !s || Object.keys(s).length <= 50, 'at most 50 settings'),
  }).strict(),
}, async ({ caller, body }) => {
  const now = new Date().toISOString();
  const project = await catalog().putProject({ ...body, createdBy: caller.subject, createdAt: now, updatedAt: now });
  logger.info('project saved', { project: project.projectId, availability: project.availability });
  return { statusCode: 200, body: project };
});
