import { z } from 'zod';
import { InvalidCursor } from '../../layers/adapters/aws/dynamodb/publication-repository';
import { BadRequest } from '../../layers/common/errors';
import { pageCursorSealer } from '../../layers/adapters/aws/page-cursor-key';
import { httpHandler } from '../../layers/adapters/aws/http';
import { Study } from '../../layers/catalog/entities';
import { decideStudy } from '../../layers/access';
import { publicationRepository } from '../../layers/services/commons-context';
import { accessContext } from '../../layers/services/access-context';

/**
 * GET /studies?modality=CT&limit=50&cursor=...: published studies the caller may
 * see (the same visibility rule as search). POST /search is the faceted search;
 * this is the plain listing.
 */
export const handler = httpHandler(
  {
    pageCursors: pageCursorSealer,
    query: z
      .object({
        modality: z
          .string()
          .regex(/^[A-Z]{2,4}$/, 'must be a DICOM modality code such as CT')
          .optional(),
        project: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{1,62}$/)
          .optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        cursor: z.string().max(2048).optional(),
      })
      .strict(),
  },
  async function listStudies({ caller, query, cursors }) {
    const matches = [];
    let cursor = query.cursor ? await cursors.open(query.cursor) : undefined;
    // Filters apply after the page is read; keep reading until the page is full or the index ends.
    try {
      do {
        const page = await publicationRepository().listPublishedStudies(query.limit, cursor);
        const ctx = await accessContext(
          caller,
          page.items.map((s) => s.project),
        );
        for (const study of page.items) {
          if (query.modality && !study.modalities.includes(query.modality)) continue;
          if (query.project && study.project !== query.project) continue;
          if (!decideStudy(ctx, study).allowed) continue;
          matches.push(publicView(study));
        }
        cursor = page.cursor;
      } while (cursor && matches.length < query.limit);
    } catch (error) {
      if (error instanceof InvalidCursor) throw new BadRequest(error.message);
      throw error;
    }
    // Sealed: the position is the last item READ, which may be a study the caller may not see.
    return { statusCode: 200, body: { studies: matches, ...(cursor ? { cursor: await cursors.seal(cursor) } : {}) } };
  },
);

/** What a researcher sees of a study: no submission or pipeline bookkeeping. */
function publicView(study: Study) {
  const { studyUid, project, site, modalities, seriesCount, instanceCount, totalBytes, publishedAt } = study;
  return { studyUid, project, site, modalities, seriesCount, instanceCount, totalBytes, publishedAt };
}
