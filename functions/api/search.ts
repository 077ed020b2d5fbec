import { BadRequest } from '../../layers/common/errors';
import { pageCursorSealer } from '../../layers/adapters/aws/page-cursor-key';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { InvalidSearchCursor, search } from '../../layers/search';
import { filtersFromQuery, searchBodySchema, searchQuerySchema } from '../../layers/search/request-schemas';
import { countScopeOf, scopeOf, withheldRowsFor } from '../../layers/services/caller-scope';
import { liveSnapshot } from '../../layers/services/snapshot-store';

/**
 * POST /search (filters in the body) and GET /search (the same in the query
 * string): counts per facet value (each facet without its own filter), the total
 * and a page of studies, over the in-memory snapshot, limited to what the caller
 * may see.
 */
export const handler = httpHandler(
  { body: searchBodySchema, query: searchQuerySchema, pageCursors: pageCursorSealer },
  async function searchStudies({ caller, body, query, cursors, event }) {
    const fromQuery = event.httpMethod === 'GET';
    const filters = fromQuery ? filtersFromQuery(query) : body;
    const { limit, cursor: sealed } = fromQuery ? query : body;
    const cursor = sealed ? await cursors.open(sealed) : undefined;
    const { version, snapshot } = await liveSnapshot();
    const [scope, rowScope, withheld] = await Promise.all([
      countScopeOf(caller, snapshot.facets.project.values),
      scopeOf(caller, snapshot.facets.project.values),
      withheldRowsFor(caller, snapshot),
    ]);
    const started = performance.now();
    try {
      const result = search(snapshot, filters, {
        scope,
        rowScope,
        limit,
        ...(withheld ? { withheld } : {}),
        ...(cursor ? { cursor } : {}),
      });
      logger.info('searched', {
        snapshotVersion: version,
        facetsFiltered: Object.keys(filters.facets ?? {}).length,
        total: result.total,
        ms: Math.round(performance.now() - started),
      });
      return {
        statusCode: 200,
        body: { ...result, ...(result.cursor ? { cursor: await cursors.seal(result.cursor) } : {}), snapshotVersion: version },
      };
    } catch (error) {
      if (error instanceof InvalidSearchCursor) throw new BadRequest(error.message);
      throw error;
    }
  },
);
