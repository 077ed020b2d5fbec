import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Conflict, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { search } from '../../layers/search';
import { releaseRepository } from '../../layers/services/commons-context';
import { filtersSchema } from '../../layers/search/request-schemas';
import { countScopeOf, withheldRowsFor } from '../../layers/services/caller-scope';
import { frozenSnapshot } from '../../layers/services/snapshot-store';

/**
 * POST /cohorts: saves a named filter set, pinned to a release (the latest unless
 * one is named), with the number of studies it selects for the caller.
 */
export const handler = httpHandler(
  {
    body: z.object({ name: z.string().min(1).max(200), filters: filtersSchema, release: z.number().int().min(1).optional() }).strict(),
  },
  async function createCohort({ caller, body }) {
    const release = body.release ? await releaseRepository().getRelease(body.release) : await releaseRepository().latestRelease();
    if (!release) {
      if (body.release) throw new NotFound(`no release ${body.release}`);
      throw new Conflict('no release has been cut yet; a cohort pins a release');
    }
    const snapshot = await frozenSnapshot(release.snapshotKey);
    const withheld = await withheldRowsFor(caller, snapshot);
    const counted = search(snapshot, body.filters, {
      scope: await countScopeOf(caller, snapshot.facets.project.values),
      ...(withheld ? { withheld } : {}),
      limit: 0,
    });
    const cohort = {
      cohortId: randomUUID(),
      name: body.name,
      owner: caller.subject,
      createdAt: new Date().toISOString(),
      releaseNumber: release.releaseNumber,
      filters: body.filters,
      studyCount: counted.total,
    };
    await releaseRepository().putCohort(cohort);
    logger.info('cohort saved', { cohortId: cohort.cohortId, release: release.releaseNumber, studies: counted.total });
    return { statusCode: 201, body: cohort };
  },
);
