/**
 * The Express submission workflow runs at least once (issue 21): the same "Submission Ready" may start two
 * executions, concurrently. Every task must then be idempotent: StudyQa (a re-run after publication keeps the
 * recorded result; two runs on a sealed submission send a failing file back to quarantine once),
 * IndexSubmission (the same records from the same instances), PublishSubmission ("alreadyPublished"),
 * QaReport (the same report) and RebuildSnapshot (a lost pointer swap retried on top of the winner).
 * Here every announcement is delivered twice, as EventBridge or Express may, one right after the other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { HilumApi } from '../../cli/lib/api-client';
import { SUBMISSION_READY } from '../../layers/pipeline/events';
import type { QaReport } from '../../layers/qa';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { createProject, submitFiles } from '../support/projects';
import { makeDicom } from '../support/synthetic-dicom';
import { CT_RESCALE } from '../unit/qa/support';

jest.setTimeout(120_000);

const PROJECT = 'twice';
const SITE = 'site-tw';

describe('a Submission Ready delivered twice runs the Express submission workflow twice, with one outcome', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let events: EventBridgeClient;
  let site: HilumApi;
  let curator: HilumApi;
  const duplicated = new Set<string>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-twice-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'SILENT',
      // The losing RebuildSnapshot's lost pointer swap is retried at once, not after the template's 2 s interval.
      retryIntervalMs: 5,
      // Nothing is dropped: each submission's first announcement is sent once more, as a second delivery.
      dropEvent: (event, bus) => {
        const detail = event.detail as { submissionId?: string };
        if (event['detail-type'] !== SUBMISSION_READY || !detail.submissionId || duplicated.has(detail.submissionId)) return false;
        duplicated.add(detail.submissionId);
        void events.send(
          new PutEventsCommand({
            Entries: [{ EventBusName: bus, Source: event.source, DetailType: SUBMISSION_READY, Detail: JSON.stringify(detail) }],
          }),
        );
        return false;
      },
    });
    events = new EventBridgeClient({ endpoint: commons.servicesEndpoint, region: 'us-east-1', credentials: commons.credentials });
    const curatorToken = await commons.issueToken(['curator'], 'curator-tw');
    await createProject(commons.apiUrl, curatorToken, PROJECT, [SITE]);
    curator = new HilumApi(commons.apiUrl, curatorToken);
    site = new HilumApi(commons.apiUrl, await commons.issueToken([`site-uploader:${SITE}`], 'uploader-tw'));
  });

  afterAll(async () => {
    events?.destroy();
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const runsOf = (submissionId: string) =>
    commons.executions().filter((e) => e.workflow.startsWith('submission') && JSON.stringify(e.input).includes(submissionId));

  const ct = (study: string, instanceNumber: number, patient: string) =>
    makeDicom({
      studyInstanceUid: study,
      seriesInstanceUid: `${study}.1`,
      elements: CT_RESCALE,
      instanceNumber,
      patient: { id: patient },
    });

  it('a clean series: both executions succeed, the study is published once and found once, the report is final', async () => {
    const study = '1.2.826.0.1.3680043.8.498.5151.1';
    const submissionId = await submitFiles(site, PROJECT, SITE, { 'a.dcm': ct(study, 1, 'P-1'), 'b.dcm': ct(study, 2, 'P-1') });
    await commons.idle();

    expect(runsOf(submissionId).map((r) => [r.workflow, r.status])).toEqual([
      ['submission', 'SUCCEEDED'],
      ['submission', 'SUCCEEDED'],
    ]);
    const submission = await site.request<{ status: string; stagedCount: number; completionPendingSince?: string }>(
      'GET',
      `/submissions/${submissionId}`,
    );
    expect(submission).toMatchObject({ status: 'published', stagedCount: 2 });
    expect(submission.completionPendingSince).toBeUndefined();
    const found = await curator.request<{ total: number }>('POST', '/search', { facets: { project: [PROJECT] } });
    expect(found.total).toBe(1);
    const report = await curator.request<{ final: boolean; counts: { files: number; quarantine: number } }>(
      'GET',
      `/submissions/${submissionId}/report`,
    );
    expect(report).toMatchObject({ final: true, counts: { files: 2, quarantine: 0 } });
  });

  it('a study of two patients: StudyQa sends both files back to quarantine once, and the report still names their rule', async () => {
    const study = '1.2.826.0.1.3680043.8.498.5151.2';
    const submissionId = await submitFiles(site, PROJECT, SITE, { 'a.dcm': ct(study, 1, 'P-A'), 'b.dcm': ct(study, 2, 'P-B') });
    await commons.idle();

    const runs = runsOf(submissionId);
    expect(runs.map((r) => [r.workflow, r.status])).toEqual([
      ['submission', 'SUCCEEDED'],
      ['submission', 'SUCCEEDED'],
    ]);
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: 0, quarantinedCount: 2 });
    const report = await curator.request<QaReport>('GET', `/submissions/${submissionId}/report`);
    expect(report.final).toBe(true);
    expect(report.quarantined.map((q) => q.rules)).toEqual([['study.one-patient'], ['study.one-patient']]);
    // Still one study found: the clean one of the first test.
    const found = await curator.request<{ total: number }>('POST', '/search', { facets: { project: [PROJECT] } });
    expect(found.total).toBe(1);
  });
});
