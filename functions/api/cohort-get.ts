import { z } from 'zod';
import { pageCursorSealer } from '../../layers/adapters/aws/page-cursor-key';
import { httpHandler } from '../../layers/adapters/aws/http';
import { search } from '../../layers/search';
import { loadCohortFor } from '../../layers/services/cohort-access';
import { countScopeOf, scopeOf, withheldRowsFor } from '../../layers/services/caller-scope';

/** GET /cohorts/{cohortId}: the cohort with its counts per facet on its release (and its first studies). */
export const handler = httpHandler(
  {
    pageCursors: pageCursorSealer,
    path: z.object({ cohortId: z.string().uuid() }),
    query: z.object({ limit: z.coerce.number().int().min(0).max(500).default(0), cursor: z.string().max(512).optional() }).strict(),
  },
  async function getCohort({ caller, access, path, query, cursors }) {
    const { cohort, snapshot } = await loadCohortFor(caller, access.level, path.cohortId);
    const cursor = query.cursor ? await cursors.open(query.cursor) : undefined;
    const withheld = await withheldRowsFor(caller, snapshot);
    const result = search(snapshot, cohort.filters, {
      scope: await countScopeOf(caller, snapshot.facets.project.values),
      ...(withheld ? { withheld } : {}),
      rowScope: await scopeOf(caller, snapshot.facets.project.values),
      limit: query.limit,
      ...(cursor ? { cursor } : {}),
    });
    return {
      statusCode: 200,
      body: {
        ...cohort,
        total: result.total,
        facets: result.facets,
        studies: result.studies,
        ...(result.cursor ? { cursor: await cursors.seal(result.cursor) } : {}),
      },
    };
  },
);
