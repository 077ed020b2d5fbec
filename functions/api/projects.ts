import { z } from 'zod';
import { AVAILABILITIES } from '../../layers/catalog/commons-entities';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { BadRequest, Conflict } from '../../layers/common/errors';
import { DictionaryConfigError, loadDictionary } from '../../layers/clinical';
import { ProjectKeyBlocked } from '../../layers/adapters/aws/secrets';
import { createDeidKey, projectRepository } from '../../layers/services/commons-context';
import { slug } from '../../layers/common/id-schemas';

/**
 * POST /projects (curator, admin): creates a project or updates its name,
 * availability, description, settings, contributing sites and clinical dictionary
 * extension (`clinicalDictionary`, validated by `loadDictionary`). A project must exist
 * before a site submits to it (POST /submissions answers 404 otherwise): nothing
 * registers a project implicitly, so its availability is always a curator's decision.
 * Only the sites it lists may submit to it (`sites`; omitted on an update, the list
 * is kept; PUT /projects/{project}/sites changes it alone).
 *
 * The project's de-identification key is created first, so a saved project always
 * has one; saving a project that has a key never replaces it (docs/deidentification.md).
 */
export const handler = httpHandler(
  {
    body: z
      .object({
        projectId: slug,
        name: z.string().min(1).max(200),
        availability: z.enum(AVAILABILITIES),
        description: z.string().max(2000).optional(),
        settings: z
          .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean()]))
          .optional()
          .refine((s) => !s || Object.keys(s).length <= 50, 'at most 50 settings'),
        sites: z.array(slug).max(200).optional(),
        clinicalDictionary: z.unknown().optional(),
      })
      .strict(),
  },
  async function saveProject({ caller, body, audit }) {
    if (body.clinicalDictionary !== undefined) {
      // Refused before anything is saved, every problem named (docs/clinical-dictionary.md).
      try {
        loadDictionary(body.clinicalDictionary);
      } catch (error) {
        if (error instanceof DictionaryConfigError) throw new BadRequest(error.message, error.problems);
        throw error;
      }
    }
    const now = new Date().toISOString();
    let key: { created: boolean };
    try {
      key = await createDeidKey(body.projectId);
    } catch (error) {
      if (error instanceof ProjectKeyBlocked) throw new Conflict(error.message);
      throw error;
    }
    const sites = body.sites ? [...new Set(body.sites)].sort() : undefined;
    const project = await projectRepository().putProject({
      ...body,
      ...(sites ? { sites } : {}),
      createdBy: caller.subject,
      createdAt: now,
      updatedAt: now,
    });
    audit.resource('project', project.projectId);
    if (sites) audit.record({ action: 'project.sites', targetType: 'project', targetId: project.projectId, details: { sites } });
    if (key.created) audit.record({ action: 'deid-key.create', targetType: 'project', targetId: project.projectId });
    logger.info('project saved', {
      project: project.projectId,
      availability: project.availability,
      sites: project.sites?.length ?? 0,
      keyCreated: key.created,
    });
    return { statusCode: 200, body: project };
  },
);
