import { z } from 'zod';
import {
  clinicalDateModeOf,
  hasDateProperties,
  parseClinicalSheet,
  projectClinicalDictionary,
  sheetFormatOf,
  type SheetFormat,
} from '../../layers/clinical';
import { BadRequest } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { storeClinicalSheet } from '../../layers/services/clinical-intake';
import { projectRepository } from '../../layers/services/commons-context';
import { loadSubmissionFor, requireOpen } from '../../layers/services/submission-access';

const MAX_SHEET_BYTES = 5 * 1024 * 1024;

/**
 * PUT /submissions/{submissionId}/clinical/{node}?format=csv|tsv|json: one node's clinical
 * sheet (docs/clinical-dictionary.md) for an open submission; the format from `format` or
 * the Content-Type. Validated whole, every error in the 400's `details` (file, row, column,
 * code, message; never a value); a sheet with any error stores nothing. Dates arrive as days
 * or are converted here; case ids are pseudonymized like PatientID before anything is stored.
 * A shifted-dates project's dates are shifted at intake with the images' per-patient shift;
 * `dates=shifted` says the site shifted them itself, allowed (and then required) only for a
 * submission de-identified at the site, the one case where the site holds the project key.
 */
export const handler = httpHandler(
  {
    path: z.object({ submissionId: z.string().uuid(), node: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a dictionary node') }),
    query: z
      .object({
        format: z.enum(['csv', 'tsv', 'json']).optional(),
        file: z.string().max(128).optional(),
        dates: z.enum(['shifted']).optional(),
      })
      .strict(),
  },
  async function putClinicalSheet({ caller, path, query, event }) {
    const submission = await loadSubmissionFor(caller, path.submissionId, 'write');
    requireOpen(submission);
    // The base dictionary with the project's extension (validated when the project was saved), in its date mode.
    const project = await projectRepository().getProject(submission.project);
    const dictionary = projectClinicalDictionary(project);
    const node = dictionary.node(path.node);
    if (!node) throw new BadRequest(`no clinical node ${path.node}: the nodes are ${dictionary.nodes.map((n) => n.node).join(', ')}`);
    const shiftedAtSite = query.dates === 'shifted';
    if (shiftedAtSite && (clinicalDateModeOf(project?.settings) !== 'shifted' || !submission.deidentifiedAtSite))
      throw new BadRequest(
        'dates=shifted is for a shifted-dates project (settings.clinicalDates) and a submission de-identified at the site: leave it out, the commons shifts the dates',
      );
    if (!shiftedAtSite && submission.deidentifiedAtSite && hasDateProperties(node))
      throw new BadRequest(
        `the submission is de-identified at the site: shift the ${node.node} dates there with the project key (hilum upload --deid-at-site does) and send them with dates=shifted`,
      );
    const contentType = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
    const format: SheetFormat | undefined = query.format ?? sheetFormatOf(contentType);
    if (!format)
      throw new BadRequest(
        'say the sheet format: ?format=csv|tsv|json, or Content-Type text/csv, text/tab-separated-values or application/json',
      );
    const raw = event.body ?? '';
    const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (Buffer.byteLength(text, 'utf8') > MAX_SHEET_BYTES) throw new BadRequest(`the ${node.node} sheet is larger than 5 MiB; split it`);
    // The file name only labels the errors: a site's own name for its file, else the node's.
    const file = query.file && /^[\w.-]+$/.test(query.file) ? query.file : `${node.node}.${format}`;

    const sheet = parseClinicalSheet({ node, text, format, file });
    const stored = sheet.ok ? await storeClinicalSheet(submission, node, file, sheet.rows, { datesShiftedAtSite: shiftedAtSite }) : sheet;
    if (!stored.ok) {
      logger.info('clinical sheet refused', { submissionId: submission.submissionId, node: node.node, errors: stored.errors.length });
      const first = stored.errors[0]!;
      throw new BadRequest(
        `${file} has ${stored.errors.length} error(s), nothing was stored; the first: row ${first.row}${first.column ? `, column ${first.column}` : ''}: ${first.message}`,
        stored.errors,
      );
    }
    logger.info('clinical sheet recorded', {
      submissionId: submission.submissionId,
      node: node.node,
      records: stored.records,
      cases: stored.cases,
    });
    return { statusCode: 200, body: { submissionId: submission.submissionId, node: node.node, version: node.version, ...stored } };
  },
);
