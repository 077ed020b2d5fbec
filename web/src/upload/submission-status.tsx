import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { ErrorBanner } from '../ui/error-banner';
import { reasonText, withLocalNames } from '../../../cli/lib/submission-outcome';
import type { QaReport } from '../../../layers/qa';

/**
 * A sealed submission as it goes through the pipeline: its status and counts, live (polled),
 * then its QA report, every file named by the site's own path (the upload's record maps the
 * commons' file ids back to them, as `hilum upload --wait` does).
 */

interface Submission {
  readonly status: string;
  readonly fileCount: number;
  readonly stagedCount: number;
  readonly quarantinedCount: number;
  readonly files: readonly { fileId: string; status: string; reasonCode?: string; reason?: string }[];
}

const POLL_MS = 2000;
/** The report is final once the submission is published (docs/qa.md); until then it is polled. */
const FINAL = new Set(['published']);

export function SubmissionStatus({ submissionId, names }: { submissionId: string; names: ReadonlyMap<string, string> }) {
  const [submission, setSubmission] = useState<Submission>();
  const [report, setReport] = useState<QaReport>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const s = await api.get<Submission>(`/submissions/${submissionId}`);
        if (stopped) return;
        setSubmission(s);
        if (FINAL.has(s.status)) {
          const r = await api.get<QaReport>(`/submissions/${submissionId}/report`).catch(() => undefined);
          if (!stopped && r) setReport(withLocalNames(r, names));
          return;
        }
      } catch (e) {
        if (!stopped) setError(e);
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [submissionId, names]);

  const quarantined = submission?.files.filter((f) => f.status === 'quarantined') ?? [];
  return (
    <section aria-labelledby="submission-title" aria-live="polite">
      <h2 id="submission-title">Submission {submissionId}</h2>
      <ErrorBanner error={error} />
      {submission && (
        <p data-testid="submission-status">
          Status: <strong>{submission.status}</strong> — {submission.stagedCount} of {submission.fileCount} staged,{' '}
          {submission.quarantinedCount} quarantined
        </p>
      )}
      {quarantined.length > 0 && (
        <>
          <h3>Quarantined files</h3>
          <ul data-testid="quarantined-files">
            {quarantined.map((f) => (
              <li key={f.fileId}>
                <strong>{names.get(f.fileId) ?? `file ${f.fileId}`}</strong>: {reasonText(f)}
              </li>
            ))}
          </ul>
        </>
      )}
      {report && (
        <>
          <h3>QA report</h3>
          <p>
            {report.counts.files} files: {report.counts.pass} pass, {report.counts.warn} warn, {report.counts.quarantine} quarantined
          </p>
          {report.warnings.length > 0 && (
            <ul>
              {report.warnings.map((w, i) => (
                <li key={i}>
                  warn {w.ruleId}
                  {w.fileId ? ` (${w.fileId})` : ''}: {w.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
