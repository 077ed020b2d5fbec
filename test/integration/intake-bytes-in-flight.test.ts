/**
 * The local Lambda host keeps the intake bytes its ingest batches hold at once (local/object-bytes-gate.ts): through
 * the real queue, pipe and batch workflow, a budget smaller than any batch lets one batch run at a time, and every
 * file still ends staged and the submission is published once.
 */
import { FUNCTIONS } from '../../functions/registry';
import { intakeEventHold, loaderWrapping } from '../support/handler-loaders';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(60_000);

const PROJECT = 'bytes-in-flight';
const SITE = 'site-bytes';

/** IngestBatch invocations running now, and the most seen at once. */
let running = 0;
let mostAtOnce = 0;

/** Takes the intake objects' S3 events off the bus while collected (put back together, so the pipe forms its batches at once). */
const hold = intakeEventHold();

const loadHandler = loaderWrapping(FUNCTIONS.ingestBatch.id, (handler) => async (event, context) => {
  mostAtOnce = Math.max(mostAtOnce, ++running);
  try {
    return await handler(event, context);
  } finally {
    running -= 1;
  }
});

describe('intake bytes in flight in the local commons', () => {
  let fixture: SiteCommons;

  beforeAll(async () => {
    fixture = await startSiteCommons({
      name: 'bytes-in-flight',
      project: PROJECT,
      site: SITE,
      handlerLogLevel: 'ERROR',
      // Smaller than any batch: one runs at a time (one always runs).
      objectBytesInFlight: 1,
      dropEvent: hold.dropEvent,
      loadHandler,
    });
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  it('runs the batches one after another under a budget smaller than each, and ingests every file', async () => {
    const { commons, site } = fixture;
    const series = makeSeries(25, { modality: 'CT', rows: 32, columns: 32, studyInstanceUid: '2.25.7100', seriesInstanceUid: '2.25.7101' });
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const { uploads } = await site.requestUploads(
      submissionId,
      series.map((bytes, i) => ({ name: `slice-${i}.dcm`, size: bytes.byteLength })),
    );
    const collecting = hold.collect(series.length);
    let held;
    try {
      await Promise.all(
        series.map(async (bytes, i) => expect((await fetch(uploads[i]!.url!, { method: 'PUT', body: bytes })).status).toBe(200)),
      );
      held = await collecting.events;
    } finally {
      collecting.stop();
    }
    for (const event of held) commons.putEvent(event);
    await commons.idle();

    // Three batches (10, 10, 5), formed together: without the budget they ran at once.
    const batches = commons.executions().filter((e) => e.workflow === 'ingest-batch');
    expect(batches).toHaveLength(3);
    expect(batches.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    expect(mostAtOnce).toBe(1);

    await site.completeSubmission(submissionId);
    await commons.idle();
    expect(await site.getSubmission(submissionId)).toMatchObject({
      status: 'published',
      fileCount: 25,
      stagedCount: 25,
      quarantinedCount: 0,
    });
  });
});
