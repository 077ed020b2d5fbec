import { z } from 'zod';
import type { Case } from '../../layers/catalog/commons-entities';
import { casePseudonym, parseCaseSheet } from '../../layers/clinical';
import { BadRequest } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { deidKeyFor, projectRepository } from '../../layers/services/commons-context';
import { storeCaseSheetRecords } from '../../layers/services/clinical-intake';
import { loadSubmissionFor, requireOpen } from '../../layers/services/submission-access';

const MAX_SHEET_BYTES = 5 * 1024 * 1024;

/**
 * PUT /submissions/{submissionId}/cases (text/csv): the site's case demographics
 * for an open submission. The site's case id is its PatientID (PHI): it is turned
 * into the keyed pseudonym the de-identifier gives PatientID (so cases link to the
 * de-identified studies) before anything is stored, and never logged or returned.
 * The pseudonym is keyed by the submission's site, the issuer of its case ids, so a
 * sheet can only write its own site's cases (the same id at another site is another case).
 * The demographics also become the case's `demographics` and `case` clinical records.
 */
export const handler = httpHandler(
  {
    path: z.object({ submissionId: z.string().uuid() }),
  },
  async function putCases({ caller, path, event }) {
    const submission = await loadSubmissionFor(caller, path.submissionId, 'write');
    requireOpen(submission);
    const raw = event.body ?? '';
    const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (Buffer.byteLength(text, 'utf8') > MAX_SHEET_BYTES)
      throw new BadRequest('cases.csv is larger than 5 MiB; split it across submissions');
    const sheet = parseCaseSheet(text);
    if (!sheet.ok) {
      logger.info('cases.csv refused', { submissionId: submission.submissionId, errors: sheet.errors.length });
      throw new BadRequest(
        `cases.csv has ${sheet.errors.length} error(s); the first: row ${sheet.errors[0]!.row}${sheet.errors[0]!.column ? `, column ${sheet.errors[0]!.column}` : ''}: ${sheet.errors[0]!.message}`,
        sheet.errors,
      );
    }
    const secret = await deidKeyFor(submission);
    const now = new Date().toISOString();
    const cases: Case[] = sheet.cases.map(({ row: _row, caseId, ...demographics }) => ({
      project: submission.project,
      casePseudonym: casePseudonym(caseId, { secret, project: submission.project, site: submission.site }),
      site: submission.site,
      ...demographics,
      submissionId: submission.submissionId,
      updatedAt: now,
    }));
    await projectRepository().putCases(cases);
    // The same demographics as clinical records: the demographics table, cohorts and exports read those.
    await storeCaseSheetRecords(submission, cases);
    const capped = cases.filter((c) => c.ageCapped).length;
    logger.info('cases recorded', { submissionId: submission.submissionId, cases: cases.length, agesCapped: capped });
    return { statusCode: 200, body: { submissionId: submission.submissionId, cases: cases.length, agesCapped: capped } };
  },
);
