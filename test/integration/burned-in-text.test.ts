/**
 * Burned-in text end to end on the local commons (issue 18): a radiograph whose header says
 * BurnedInAnnotation NO but whose pixels carry the patient's name and birth date is held for pixel
 * review with the boxes where OCR found them (read back from the curator's API, token classes only,
 * never text), while a clean radiograph of the same study is published.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import type { QaReport } from '../../layers/qa';
import { overlaps, radiographWithText } from '../support/burned-in-dicom';
import { createProject, submitFiles } from '../support/projects';

jest.setTimeout(180_000);

interface QuarantineItem {
  rules: string[];
  textRegions?: { x: number; y: number; width: number; height: number; classes: string[] }[];
}

describe('burned-in text through the local commons', () => {
  let dataDir: string;
  let commons: LocalCommons;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-burned-in-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('holds the radiograph with a name in its pixels (BurnedInAnnotation NO) with its box recorded, and publishes the clean one', async () => {
    const curatorToken = await commons.issueToken(['curator'], 'curator-1');
    await createProject(commons.apiUrl, curatorToken, 'burned-in', ['site-a']);
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-a'));
    const curator = new HilumApi(commons.apiUrl, curatorToken);

    const named = radiographWithText(480, 640, [{ text: 'DOE JANE 12/04/1970', pixelSize: 18, left: 24, top: 20 }], {
      burnedInAnnotation: 'NO',
      instanceNumber: 1,
      seed: 11,
    });
    const clean = radiographWithText(480, 640, [], { burnedInAnnotation: 'NO', instanceNumber: 2, seed: 12 });
    const submissionId = await submitFiles(site, 'burned-in', 'site-a', { 'named.dcm': named.bytes, 'clean.dcm': clean.bytes });
    await commons.idle();

    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: 1, quarantinedCount: 1 });
    const report = await site.request<QaReport>('GET', `/submissions/${submissionId}/report`);
    expect(report.quarantined).toHaveLength(1);
    const [held] = report.quarantined;
    expect(held!.rules).toEqual(['deid.pixel-review']);
    expect(held!.reasons.join(' ')).toMatch(/found by OCR/);

    const item = await curator.request<QuarantineItem>('GET', `/quarantine/${held!.fileId}`);
    expect(item.textRegions?.length).toBeGreaterThan(0);
    expect(item.textRegions!.some((r) => overlaps(r, named.boxes[0]!) && r.classes.includes('known-identifier'))).toBe(true);
    expect(JSON.stringify(item)).not.toMatch(/DOE|JANE|1970/);
  });
});
