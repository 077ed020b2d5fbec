/**
 * `hilum upload --wait`, once the submission is published, asks for its files and its QA report at once
 * (readPublished, cli/lib/submission-outcome.ts): one round trip after the last outcome instead of two in a row.
 * A stand-in API whose answers are held until the test lets them go.
 */
import { readPublished, type SubmissionOutcome } from '../../../cli/lib/submission-outcome';
import type { QaReport } from '../../../layers/qa';

const submission: SubmissionOutcome = { status: 'published', stagedCount: 1, quarantinedCount: 0, files: [] };
const report = { schema: 'hilum.qa-report/1', warnings: [] } as unknown as QaReport;

/** An API that answers both requests only when released, recording which requests were asked. */
function heldApi(reportAnswer: () => Promise<unknown>) {
  const asked: string[] = [];
  let releaseSubmission: () => void = () => undefined;
  let releaseReport: () => void = () => undefined;
  const api = {
    getSubmission(submissionId: string): Promise<SubmissionOutcome> {
      asked.push(`submission ${submissionId}`);
      return new Promise((resolve) => {
        releaseSubmission = () => resolve(submission);
      });
    },
    request<T>(method: string, path: string): Promise<T> {
      asked.push(`${method} ${path}`);
      return new Promise<void>((resolve) => {
        releaseReport = resolve;
      }).then(reportAnswer) as Promise<T>;
    },
  };
  return {
    api,
    asked,
    release: () => {
      releaseSubmission();
      releaseReport();
    },
  };
}

describe('readPublished', () => {
  it('asks for the report while the file list is still on its way', async () => {
    const { api, asked, release } = heldApi(async () => report);
    const read = readPublished(api, 's1');
    await new Promise((r) => setImmediate(r));
    // Asked one after the other (either first), the second would wait for the first's answer, which is still held here.
    expect(asked.sort()).toEqual(['GET /submissions/s1/report?format=json', 'submission s1']);
    release();
    await expect(read).resolves.toEqual({ submission, report });
  });

  it('answers no report when the report request fails or answers no object, and still the files', async () => {
    for (const answer of [() => Promise.reject(new Error('404')), async () => 'not a report']) {
      const { api, release } = heldApi(answer);
      const read = readPublished(api, 's2');
      release();
      await expect(read).resolves.toEqual({ submission, report: undefined });
    }
  });

  it('fails as before when the file list cannot be read', async () => {
    const api = {
      getSubmission: () => Promise.reject(new Error('the API is down')),
      request: () => Promise.reject(new Error('the API is down')),
    };
    await expect(readPublished(api, 's3')).rejects.toThrow('the API is down');
  });
});
