import { z } from 'zod';
import { manifestCsv } from '../../layers/catalog/manifest';
import { BASE_DICTIONARY } from '../../layers/clinical';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { loadCohortFor, memberUids } from '../../layers/services/cohort-access';
import { readReleaseManifest } from '../../layers/services/release-manifest-store';
import { decideStudy } from '../../layers/access';
import { accessContext } from '../../layers/services/access-context';
import { countScopeOf } from '../../layers/services/caller-scope';

/**
 * GET /cohorts/{cohortId}/manifest?format=json|csv: one row per object of the
 * cohort's studies as its release froze them (object id, UIDs, size, sha-256),
 * with the total size: the input of `hilum download`. The JSON form names the cohort's
 * clinical tables (GET /cohorts/{cohortId}/clinical/{node}).
 */
export const handler = httpHandler(
  {
    path: z.object({ cohortId: z.string().uuid() }),
    query: z.object({ format: z.enum(['json', 'csv']).default('json') }).strict(),
  },
  async function getCohortManifest({ caller, access, audit, path, query }) {
    const { cohort, release, snapshot } = await loadCohortFor(caller, access.level, path.cohortId);
    audit.resource('cohort', cohort.cohortId);
    // The cohort's studies the caller counts, then only those the caller may download (open, granted, or this cohort's grant).
    const selected = memberUids(snapshot, cohort, await countScopeOf(caller, snapshot.facets.project.values));
    const ctx = await accessContext(caller, snapshot.facets.project.values);
    const allowed = new Map<string, boolean>();
    const rows = (await readReleaseManifest(release.manifestKey)).filter((r) => {
      if (!selected.has(r.studyUid)) return false;
      let ok = allowed.get(r.studyUid);
      if (ok === undefined) allowed.set(r.studyUid, (ok = decideStudy(ctx, r).allowed));
      return ok;
    });
    const members = new Set(rows.map((r) => r.studyUid));
    const withheld = [...selected].filter((uid) => !members.has(uid)).length;
    const totalBytes = rows.reduce((sum, r) => sum + r.size, 0);
    logger.info('manifest issued', {
      cohortId: cohort.cohortId,
      release: release.releaseNumber,
      studies: members.size,
      withheld,
      objects: rows.length,
      format: query.format,
    });
    const summary = {
      'x-hilum-object-count': String(rows.length),
      'x-hilum-total-bytes': String(totalBytes),
      'x-hilum-release': String(release.releaseNumber),
      'x-hilum-withheld-studies': String(withheld),
    };
    if (query.format === 'csv') {
      return {
        statusCode: 200,
        body: undefined,
        text: manifestCsv(rows),
        headers: {
          ...summary,
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="cohort-${cohort.cohortId}.csv"`,
        },
      };
    }
    return {
      statusCode: 200,
      headers: summary,
      body: {
        format: 'hilum-manifest/1',
        cohortId: cohort.cohortId,
        name: cohort.name,
        release: release.releaseNumber,
        studyCount: members.size,
        withheldStudies: withheld,
        objectCount: rows.length,
        totalBytes,
        objects: rows.map(({ objectId, studyUid, seriesUid, sopUid, size, sha256 }) => ({
          objectId,
          studyUid,
          seriesUid,
          sopUid,
          size,
          sha256,
        })),
        // The cohort's clinical tables, one per dictionary node, filtered like these objects.
        clinicalTables: BASE_DICTIONARY.nodes.map(({ node }) => ({
          node,
          csv: `/cohorts/${cohort.cohortId}/clinical/${node}?format=csv`,
          parquet: `/cohorts/${cohort.cohortId}/clinical/${node}?format=parquet`,
        })),
      },
    };
  },
);
