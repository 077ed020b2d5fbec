import { z } from 'zod';
import { renderReportMarkdown, type QaReport } from '../../layers/qa';
import { httpHandler } from '../../layers/adapters/aws/http';
import { buckets, objects } from '../../layers/services/commons-context';
import { submissionPath } from '../../layers/common/id-schemas';
import { loadSubmissionFor } from '../../layers/services/submission-access';
import { reportKeys } from '../../layers/pipeline/object-keys';
import { submissionReport } from '../../layers/services/submission-qa-report';

/**
 * GET /submissions/{id}/report: the submission's QA report for its site's
 * uploaders and curators. JSON by default; Markdown with `?format=md` or
 * `Accept: text/markdown`. The stored report (written when the submission
 * workflow finished, rewritten on curator decisions) is served when it exists;
 * before that a provisional one is built from the catalog (`final: false`).
 */
export const handler = httpHandler(
  {
    path: submissionPath,
    query: z.object({ format: z.enum(['json', 'md']).optional() }),
  },
  async function getSubmissionReport({ caller, path, query, event }) {
    const submission = await loadSubmissionFor(caller, path.submissionId, 'read');
    const stored = await objects().getBytes(buckets.released(), reportKeys(submission.submissionId).json);
    const report: QaReport = stored
      ? (JSON.parse(Buffer.from(stored).toString('utf8')) as QaReport)
      : await submissionReport(submission, new Date().toISOString());
    const accept = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'accept')?.[1] ?? '';
    const markdown = query.format === 'md' || (query.format === undefined && accept.includes('text/markdown'));
    if (markdown) {
      return {
        statusCode: 200,
        body: undefined,
        text: renderReportMarkdown(report),
        headers: { 'content-type': 'text/markdown; charset=utf-8' },
      };
    }
    return { statusCode: 200, body: report };
  },
);
