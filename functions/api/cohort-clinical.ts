import { z } from 'zod';
import { clinicalColumns, clinicalTableCsv } from '../../layers/catalog/clinical-tables';
import { toParquet } from '../../layers/catalog/parquet-export';
import { BASE_DICTIONARY, mergedNode, projectClinicalDictionary } from '../../layers/clinical';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { cohortClinicalRecords } from '../../layers/services/cohort-clinical';
import { projectRepository } from '../../layers/services/commons-context';

/**
 * GET /cohorts/{cohortId}/clinical/{node}?format=csv|parquet|json: one clinical table of a
 * cohort (docs/clinical-dictionary.md), only the records of the cases whose studies the
 * caller may download from it (what its manifest lists), case ids as pseudonyms, no dates.
 */
export const handler = httpHandler(
  {
    path: z.object({ cohortId: z.string().uuid(), node: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/) }),
    query: z.object({ format: z.enum(['csv', 'parquet', 'json']).default('csv') }).strict(),
  },
  async function getCohortClinicalTable({ caller, access, audit, path, query }) {
    const { cohortId, cases, records } = await cohortClinicalRecords(caller, access.level, path.cohortId, path.node);
    // The node as the base dictionary and the extensions of the records' projects define it (an added node
    // or property has its table and columns, a shifted-dates project its date columns); a node only a project
    // the caller sees nothing of adds is not found.
    const extensions = await Promise.all(
      [...new Set(records.map((r) => r.project))]
        .sort()
        .map(async (p) => projectClinicalDictionary(await projectRepository().getProject(p))),
    );
    const node = mergedNode([BASE_DICTIONARY, ...extensions], path.node);
    if (!node) throw new NotFound(`no clinical node ${path.node}: the nodes are ${BASE_DICTIONARY.nodes.map((n) => n.node).join(', ')}`);
    audit.resource('cohort', cohortId);
    logger.info('cohort clinical table issued', { cohortId, node: node.node, cases, records: records.length, format: query.format });
    const headers = { 'x-hilum-record-count': String(records.length), 'x-hilum-case-count': String(cases) };
    const name = `cohort-${cohortId}-${node.node}`;
    if (query.format === 'csv')
      return {
        statusCode: 200,
        body: undefined,
        text: clinicalTableCsv(node, records),
        headers: { ...headers, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` },
      };
    if (query.format === 'parquet')
      return {
        statusCode: 200,
        body: undefined,
        binary: toParquet(clinicalColumns(node), records),
        headers: {
          ...headers,
          'content-type': 'application/vnd.apache.parquet',
          'content-disposition': `attachment; filename="${name}.parquet"`,
        },
      };
    return {
      statusCode: 200,
      headers,
      body: {
        cohortId,
        node: node.node,
        version: node.version,
        records: records.map((r) => ({ case_id: r.casePseudonym, project: r.project, site: r.site, ...r.values })),
      },
    };
  },
);
