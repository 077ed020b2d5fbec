/**
 * The local commons with its Lambda handlers in worker threads (`functionWorkers: 2`, what
 * `hilum start` runs): each thread registers tsx itself (jest's transform does not reach a
 * thread), imports the handlers under the commons' environment and runs the real pipeline: a CT
 * slice is published, a radiograph with a name in its pixels goes through the OCR check (the
 * thread's own tesseract worker) and is held, a file that is not DICOM is quarantined; a handler's
 * error crosses back by name with Lambda's cause.
 */
import { makeDicom } from '../support/synthetic-dicom';
import { radiographWithText } from '../support/burned-in-dicom';
import { submitFiles } from '../support/projects';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';

jest.setTimeout(120_000);

const PROJECT = 'workers';
const SITE = 'site-w';

describe('the local commons running its handlers in two worker threads', () => {
  let commons: SiteCommons;
  const log: string[] = [];

  beforeAll(async () => {
    commons = await startSiteCommons({
      name: 'function-workers',
      project: PROJECT,
      site: SITE,
      functionWorkers: 2,
      log: (line) => log.push(line),
      handlerLogLevel: 'ERROR',
    });
  });

  afterAll(async () => {
    await commons?.stop();
  });

  it('publishes a CT slice, holds the radiograph with a name OCR reads, and quarantines a file that is not DICOM', async () => {
    const named = radiographWithText(480, 640, [{ text: 'DOE JANE 12/04/1970', pixelSize: 18, left: 24, top: 20 }], {
      burnedInAnnotation: 'NO',
      studyInstanceUid: '2.25.9101',
      instanceNumber: 1,
      seed: 31,
    });
    const ct = makeDicom({ modality: 'CT', rows: 64, columns: 64, studyInstanceUid: '2.25.9103', seriesInstanceUid: '2.25.9103.1' });
    const submissionId = await submitFiles(commons.site, PROJECT, SITE, {
      'ct.dcm': ct,
      'named.dcm': named.bytes,
      'notes.dcm': new TextEncoder().encode('clinical note, not a DICOM file'),
    });
    await commons.commons.idle();

    const submission = await commons.site.getSubmission(submissionId);
    // No worker thread died on the way (one that did would fail its invocations as Runtime.ExitError).
    expect(log.filter((line) => line.startsWith('function worker'))).toEqual([]);
    // Both threads ran handlers: the files' tasks overlap (the first import alone takes the first thread a while).
    const given = commons.commons.functionThreads();
    expect(given).toHaveLength(2);
    expect(given.every((n) => n > 0)).toBe(true);
    // Each file's outcome first: a failure shows the reasons.
    const outcomes = submission.files.map((f) => `${f.status} ${f.reason ?? ''}`.trim()).sort();
    expect(outcomes).toEqual([
      'quarantined DicomParseError: not a DICOM Part 10 file: no DICM prefix',
      expect.stringMatching(/^quarantined deid\.pixel-review: .* found by OCR/),
      'staged',
    ]);
    expect(submission).toMatchObject({ status: 'published', stagedCount: 1, quarantinedCount: 2 });
    expect(commons.commons.executions().filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
  });

  it("answers a handler's error by its name with a Lambda-shaped cause, and the next invocation still runs", async () => {
    const failure = await commons.commons.invoke('IngestObject', { not: 'an ingest input' }).catch((error: Error) => error);
    expect(failure).toMatchObject({ name: 'InvalidTaskInput' });
    expect(JSON.parse((failure as Error).message)).toMatchObject({ errorType: 'InvalidTaskInput' });

    const health = await fetch(`${commons.commons.apiUrl}/health`);
    expect(health.status).toBe(200);
  });
});
