/**
 * Found by the chaos suite (issue 12): a submission whose announcement brought no
 * publication (its "Submission Ready" event lost, its submission execution failed on a
 * task or killed with the commons) waits until its claim goes stale, 15 minutes, before
 * the reconciler announces it again. That is AWS's behaviour; the local commons lets a
 * test shorten it (`reconcile.announceStaleSeconds`, HILUM_RECONCILE_STALE_SECONDS), as
 * it shortens the reconciler's interval and grace, so a chaos run drains in seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { createProject } from '../support/projects';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(120_000);

const PROJECT = 'announce';
const SITE = 'site-an';

describe('the reconciler announces again a ready submission whose announcement brought no publication', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let site: HilumApi;
  let lost = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-announce-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
      reconcile: { everySeconds: 1, graceSeconds: 2, announceStaleSeconds: 3 },
      // The first announcement is lost, as one whose execution failed or was killed.
      dropEvent: (event) => event['detail-type'] === 'Submission Ready' && lost++ === 0,
    });
    const curatorToken = await commons.issueToken(['curator'], 'curator-an');
    await createProject(commons.apiUrl, curatorToken, PROJECT, [SITE]);
    site = new HilumApi(commons.apiUrl, await commons.issueToken([`site-uploader:${SITE}`], 'uploader-an'));
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('after the stale period it is given, and the submission is published once', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const files = makeSeries(2, { modality: 'CT', rows: 32, columns: 32 });
    const { uploads } = await site.requestUploads(
      submissionId,
      files.map((f, i) => ({ name: `f${i}.dcm`, size: f.byteLength })),
    );
    for (const [i, u] of uploads.entries()) expect((await fetch(u.url!, { method: 'PUT', body: files[i] })).status).toBe(200);
    await site.completeSubmission(submissionId);

    const end = Date.now() + 30_000;
    let status = '';
    while (Date.now() < end && status !== 'published') {
      status = (await site.getSubmission(submissionId)).status;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(lost).toBeGreaterThanOrEqual(2);
    expect(status).toBe('published');
    await commons.idle();
    const runs = commons.executions().filter((e) => e.workflow.startsWith('submission') && JSON.stringify(e.input).includes(submissionId));
    // The reconciler's announcement runs in the Standard workflow, whatever the submission's size.
    expect(runs.map((r) => [r.workflow, r.status])).toEqual([['submission-large', 'SUCCEEDED']]);
  });
});
