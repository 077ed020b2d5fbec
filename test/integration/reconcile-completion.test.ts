/**
 * Found by the chaos suite (issue 12): a submission execution that fails after
 * PublishSubmission (QaReport or RebuildSnapshot: a task fault, or a timed-out task)
 * left the submission published without its QA report, and its studies out of search,
 * and nothing ran those steps again. Publication now marks the submission
 * `completionPendingSince`; the workflow's last step clears it; the reconciler announces
 * again, after the stale period, a published submission that still has it. The re-run
 * does not re-judge what is published (StudyQa keeps the recorded result).
 * The failure is made by QaReport's first read of the QA result throwing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { QaRepository } from '../../layers/adapters/aws/dynamodb/qa-repository';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { createProject } from '../support/projects';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(120_000);

const PROJECT = 'complete';
const SITE = 'site-co';

describe('a submission workflow that failed after publication is run again to its end', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let site: HilumApi;
  let curator: HilumApi;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-complete-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'SILENT',
      reconcile: { everySeconds: 1, graceSeconds: 2, announceStaleSeconds: 3 },
    });
    const curatorToken = await commons.issueToken(['curator'], 'curator-co');
    await createProject(commons.apiUrl, curatorToken, PROJECT, [SITE]);
    curator = new HilumApi(commons.apiUrl, curatorToken);
    site = new HilumApi(commons.apiUrl, await commons.issueToken([`site-uploader:${SITE}`], 'uploader-co'));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('QaReport failing once: the report is stored, the study found by search, published once', async () => {
    const failOnce = jest
      .spyOn(QaRepository.prototype, 'getSubmissionResult')
      .mockRejectedValueOnce(Object.assign(new Error('the report step crashed'), { name: 'Crash' }));
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const files = makeSeries(2, { modality: 'CT', rows: 32, columns: 32 });
    const { uploads } = await site.requestUploads(
      submissionId,
      files.map((f, i) => ({ name: `f${i}.dcm`, size: f.byteLength })),
    );
    for (const [i, u] of uploads.entries()) expect((await fetch(u.url!, { method: 'PUT', body: files[i] })).status).toBe(200);
    await site.completeSubmission(submissionId);

    type Seen = { status: string; publishedAt?: string; completionPendingSince?: string; files: { studyUid?: string }[] };
    let seen: Seen | undefined;
    let firstPublishedAt: string | undefined;
    const end = Date.now() + 45_000;
    while (Date.now() < end) {
      seen = await site.request<Seen>('GET', `/submissions/${submissionId}`);
      if (seen.status === 'published') {
        firstPublishedAt ??= seen.publishedAt;
        if (seen.completionPendingSince === undefined) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(failOnce).toHaveBeenCalled();
    expect(seen).toMatchObject({ status: 'published', publishedAt: firstPublishedAt });
    expect(seen!.completionPendingSince).toBeUndefined();
    await commons.idle();

    const runs = commons.executions().filter((e) => e.workflow.startsWith('submission') && JSON.stringify(e.input).includes(submissionId));
    // The failed Express execution (Express has no redrive) is run again by the reconciler's announcement, in Standard.
    expect(runs.map((r) => [r.workflow, r.status])).toEqual([
      ['submission', 'FAILED'],
      ['submission-large', 'SUCCEEDED'],
    ]);
    // The stored report (`final`), not the provisional one built from the catalog when none is stored.
    const report = await curator.request<{ final: boolean; counts: { files: number } }>('GET', `/submissions/${submissionId}/report`);
    expect(report).toMatchObject({ final: true, counts: { files: 2 } });
    const studyUid = seen!.files[0]!.studyUid!;
    const { total, studies } = await curator.request<{ total: number; studies: { studyUid: string }[] }>('POST', '/search', {
      facets: { project: [PROJECT] },
    });
    expect({ total, studies: studies.map((s) => s.studyUid) }).toEqual({ total: 1, studies: [studyUid] });
  });
});
