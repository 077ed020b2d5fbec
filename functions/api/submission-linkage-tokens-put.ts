import { z } from 'zod';
import { MAX_CASES_PER_REQUEST, parseTokenSheet } from '../../layers/clinical/linkage';
import { BadRequest } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { storeLinkTokens } from '../../layers/services/linkage-tokens';
import { loadSubmissionFor, requireOpen } from '../../layers/services/submission-access';

/** Lambda's limit on a synchronous request; the cases limit (MAX_CASES_PER_REQUEST, about 1.9 MB) comes first. */
const MAX_SHEET_BYTES = 6 * 1024 * 1024;

/**
 * PUT /submissions/{submissionId}/linkage-tokens (text/csv): the tokens sheet `hilum
 * link-tokens` wrote at the site (case_id, variant, token; docs/linkage.md) for an open
 * submission. Checked whole (every error listed, no value quoted; any error stores nothing);
 * case ids pseudonymized like PatientID; each case's tokens replace what it had. The tokens
 * are keyed hashes the commons cannot reverse (it never holds the linkage key), and they are
 * never logged, returned or shown to researchers.
 */
export const handler = httpHandler(
  {
    path: z.object({ submissionId: z.string().uuid() }),
  },
  async function putLinkageTokens({ caller, path, event }) {
    const submission = await loadSubmissionFor(caller, path.submissionId, 'write');
    requireOpen(submission);
    const raw = event.body ?? '';
    const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (Buffer.byteLength(text, 'utf8') > MAX_SHEET_BYTES)
      throw new BadRequest('the tokens sheet is larger than 6 MiB; send it in parts of whole cases (each case replaces its own tokens)');
    const sheet = parseTokenSheet(text);
    if (sheet.ok && sheet.cases.length > MAX_CASES_PER_REQUEST)
      throw new BadRequest(
        `the tokens sheet holds ${sheet.cases.length} cases, more than the ${MAX_CASES_PER_REQUEST} one request stores; send it in parts of whole cases (hilum upload does), each part replacing its own cases' tokens`,
      );
    const stored = sheet.ok ? await storeLinkTokens(submission, sheet.cases) : sheet;
    if (!stored.ok) {
      logger.info('linkage tokens refused', { submissionId: submission.submissionId, errors: stored.errors.length });
      const first = stored.errors[0]!;
      throw new BadRequest(
        `the tokens sheet has ${stored.errors.length} error(s), nothing was stored; the first: row ${first.row}${first.column ? `, column ${first.column}` : ''}: ${first.message}`,
        stored.errors,
      );
    }
    logger.info('linkage tokens recorded', { submissionId: submission.submissionId, cases: stored.cases });
    return { statusCode: 200, body: { submissionId: submission.submissionId, cases: stored.cases } };
  },
);
