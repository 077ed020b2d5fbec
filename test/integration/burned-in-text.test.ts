/**
 * Burned-in text end to end on the local commons (issue 18): a radiograph whose header says
 * BurnedInAnnotation NO but whose pixels carry the patient's name and birth date is held for pixel
 * review with the boxes where OCR found them (read back from the curator's API, token classes only,
 * never text), while a clean radiograph of the same study is published. And the Clean Pixel Data
 * Option: an ultrasound of a tabled device (Philips iU22, 480 rows) with the patient's name in its top
 * banner is published with the banner blank and 113101 recorded by a project that enables it, and held
 * for review as before by one that does not; text outside the banner still holds the image.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { HilumApi } from '../../cli/lib/api-client';
import { readDicomFile, storedFrames } from '../../layers/dicom';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import type { QaReport } from '../../layers/qa';
import { overlaps, radiographWithText } from '../support/burned-in-dicom';
import { localS3Client } from '../support/local-clients';
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

  it('publishes a tabled ultrasound with its banner blanked and 113101 recorded where the project enables Clean Pixel Data, and holds it where it does not', async () => {
    const curatorToken = await commons.issueToken(['curator'], 'curator-1');
    const curator = new HilumApi(commons.apiUrl, curatorToken);
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-a'));
    for (const [project, cleanPixelData] of [
      ['clean-on', true],
      ['clean-off', false],
    ] as const) {
      await createProject(commons.apiUrl, curatorToken, project, ['site-a']);
      // The scope rules' tables have no ultrasound storage class (layers/qa/iod-tables.ts): both projects switch that rule off.
      await curator.request('PUT', `/projects/${project}/qa-config`, {
        modalities: ['US'],
        rules: { 'scope.sop-class': 'off' },
        cleanPixelData,
      });
    }
    const [COLUMNS, BANNER] = [640, 47]; // the iU22 layout of 480 rows blanks [0, 0, 640, 47]
    const iu22 = (study: string, instanceNumber: number, top: number) =>
      radiographWithText(480, COLUMNS, [{ text: 'DOE JANE 12/04/1970', pixelSize: 18, left: 24, top }], {
        modality: 'US',
        sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
        studyInstanceUid: `2.25.1818${study}`,
        seriesInstanceUid: `2.25.1818${study}1`,
        instanceNumber,
        seed: 20 + instanceNumber,
        elements: { '00080070': { vr: 'LO', Value: ['Philips Medical Systems'] }, '00081090': { vr: 'LO', Value: ['iU22'] } },
      });
    const inBanner = iu22('1', 1, 12);
    const outside = iu22('1', 2, 440); // the bottom corner: dark, as the banner is (the synthetic body is bright mid-image)
    const offProject = iu22('2', 1, 12);

    const s3 = localS3Client(commons);
    const releasedKeys = async () =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: commons.buckets.released, Prefix: 'studies/' }))).Contents ?? []).map(
        (o) => o.Key!,
      );
    const before = new Set(await releasedKeys());
    const on = await submitFiles(site, 'clean-on', 'site-a', { 'banner.dcm': inBanner.bytes, 'outside.dcm': outside.bytes });
    const off = await submitFiles(site, 'clean-off', 'site-a', { 'banner.dcm': offProject.bytes });
    await commons.idle();

    // Enabled: the banner image is published (OCR ran although ultrasound is not at risk by default, and read the name
    // only inside the banner); the one with text outside the banner is held with that box, and no box wholly inside the banner is recorded.
    expect(await site.getSubmission(on)).toMatchObject({ status: 'published', stagedCount: 1, quarantinedCount: 1 });
    const [held] = (await site.request<QaReport>('GET', `/submissions/${on}/report`)).quarantined;
    expect(held!.reasons.join(' ')).toMatch(/found by OCR/);
    const item = await curator.request<QuarantineItem>('GET', `/quarantine/${held!.fileId}`);
    expect(item.textRegions!.some((r) => overlaps(r, outside.boxes[0]!))).toBe(true);
    expect(item.textRegions!.filter((r) => r.y + r.height <= BANNER)).toEqual([]);

    const added = (await releasedKeys()).filter((k) => !before.has(k));
    expect(added).toHaveLength(1);
    const object = await s3.send(new GetObjectCommand({ Bucket: commons.buckets.released, Key: added[0] }));
    const published = new Uint8Array(await object.Body!.transformToByteArray());
    const codes = ((readDicomFile(published).dict['00120064']?.Value ?? []) as Record<string, { Value?: string[] }>[]).map(
      (i) => i['00080100']?.Value?.[0],
    );
    expect(codes).toContain('113101');
    const banner = BANNER * COLUMNS * 2;
    const after = storedFrames(published).frames[0]!;
    const was = storedFrames(inBanner.bytes).frames[0]!;
    expect(was.subarray(0, banner).some((b) => b !== 0)).toBe(true);
    expect(after.subarray(0, banner).every((b) => b === 0)).toBe(true);
    expect(Buffer.from(after.subarray(banner)).equals(Buffer.from(was.subarray(banner)))).toBe(true);

    // Not enabled: the same device is held for review as before (the ultrasound SOP class), its pixels untouched.
    expect(await site.getSubmission(off)).toMatchObject({ stagedCount: 0, quarantinedCount: 1 });
    const [offHeld] = (await site.request<QaReport>('GET', `/submissions/${off}/report`)).quarantined;
    expect(offHeld!.rules).toEqual(['deid.pixel-review']);
    expect(offHeld!.reasons.join(' ')).toMatch(/SOP class often carries burned-in text/);
  });
});
