import type { QaReport } from '../qa';
import { buckets, objects } from './commons-context';
import { reportKeys } from '../pipeline/object-keys';

/**
 * Stores a submission's QA report in the released bucket under `reports/`: the
 * report carries ids, rule ids and value-free messages only, so it belongs with
 * de-identified data, not in the PHI-grade quarantine bucket. Researchers get no
 * URL to it: only study files are ever presigned for them.
 */
export async function storeReport(report: QaReport, markdown: string): Promise<{ json: string; markdown: string }> {
  if (!report.submission) throw new Error('a stored report belongs to a submission');
  const keys = reportKeys(report.submission.submissionId);
  await objects().put(buckets.released(), keys.json, Buffer.from(JSON.stringify(report, null, 2)), { contentType: 'application/json' });
  await objects().put(buckets.released(), keys.markdown, Buffer.from(markdown), { contentType: 'text/markdown; charset=utf-8' });
  return keys;
}
