/**
 * The portal's study page and viewer, browser upload and curator queue, driven in Debian's
 * Chromium against one local commons (test/support/portal.ts): a folder de-identified in the
 * browser reaches the commons without the originals' names and ids, a study's pixels are drawn
 * and window/level changes them, a curator releases a quarantined file. axe-core finds no serious
 * or critical violation on these pages. With HILUM_SCREENSHOTS=1 each page's screenshot goes to docs/images/
 * (a test run leaves the repository's files alone otherwise).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { parseDicom } from '../../layers/dicom';
import { localS3Client } from '../support/local-clients';
import { PORTAL_SAMPLE, startPortal, type PortalHarness } from '../support/portal';
import { makeDicom, SYNTHETIC_PHI } from '../support/synthetic-dicom';
import { overlaps, radiographWithText } from '../support/burned-in-dicom';
import { submitFiles } from '../support/projects';

const IMAGES = join(__dirname, '../../docs/images');
/** Where a page's screenshot goes: docs/images/ when asked for (HILUM_SCREENSHOTS=1), else nowhere. */
const screenshotPath = (name: string): { path?: string } => (process.env.HILUM_SCREENSHOTS === '1' ? { path: join(IMAGES, name) } : {});
const PHI = [SYNTHETIC_PHI.patientName, SYNTHETIC_PHI.patientName.split('^')[0]!, SYNTHETIC_PHI.patientId];
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

let portal: PortalHarness;
let folder: string;

beforeAll(async () => {
  // No HILUM_CORS_ORIGINS: the browser PUTs to the local S3 from the portal's origin (the API's address,
  // on a port picked at start), which the commons allows on its own, as `npm start` must.
  portal = await startPortal();
  folder = await mkdtemp(join(tmpdir(), 'hilum-portal-upload-'));
}, 240_000);

afterAll(async () => {
  await portal?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

async function objects(bucket: string, prefix: string): Promise<Map<string, Buffer>> {
  const s3 = localS3Client(portal.commons);
  const out = new Map<string, Buffer>();
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  for (const o of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
    out.set(o.Key!, Buffer.from(await got.Body!.transformToByteArray()));
  }
  return out;
}

/** The role picker as a site uploader (the harness's signIn matches the "Site uploader" radio too when it looks for the Site field). */
async function signInAsSite(site: string, next: string): Promise<Page> {
  const context = await portal.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(portal.commons.portalUrl!);
  await page.goto(portal.url(`/sign-in?next=${encodeURIComponent(next)}`));
  await page.getByRole('radio', { name: /^Site uploader/ }).check();
  await page.getByRole('textbox', { name: 'Site' }).fill(site);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  return page;
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await portal.axe(page)).toEqual([]);
}

describe('site uploader: a folder de-identified in the browser', () => {
  it('sends only de-identified bytes, follows the submission and names the quarantined file by its path', async () => {
    const root = join(folder, 'exam-2026');
    await mkdir(join(root, 'ct'), { recursive: true });
    const study = '1.2.826.0.1.3680043.8.498.99117';
    for (const n of [1, 2])
      await writeFile(
        join(root, 'ct', `slice-${n}.dcm`),
        makeDicom({ studyInstanceUid: study, seriesInstanceUid: `${study}.1`, instanceNumber: n }),
      );
    await writeFile(
      join(root, 'scout-burned-in.dcm'),
      makeDicom({ modality: 'CR', burnedInAnnotation: 'YES', studyInstanceUid: `${study}.5` }),
    );

    const page = await signInAsSite('site-a', '/upload');
    await page.getByRole('textbox', { name: 'Project' }).fill(PORTAL_SAMPLE.openProject);
    await expect(page.getByLabel(/De-identify in this browser/).isChecked()).resolves.toBe(true);
    const sent: Buffer[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT') sent.push(request.postDataBuffer() ?? Buffer.alloc(0));
    });
    await page.locator('#folder-input').setInputFiles(root);
    // The checks are the project's QA configuration, read from the commons (not the defaults).
    const qaConfigRead = page.waitForResponse((r) => r.url().endsWith(`/projects/${PORTAL_SAMPLE.openProject}/qa-config`) && r.ok());
    await page.getByRole('button', { name: 'Check and de-identify' }).click();
    await qaConfigRead;
    await page.getByText('would be quarantined').waitFor();
    // Each copy went through the independent verifier in the worker, and passed: none is refused.
    await expect(page.getByTestId('refused-files').count()).resolves.toBe(0);
    await page.getByLabel(/Send the 1 file\(s\) the rules would quarantine too/).check();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    // An upload that fails says so in an alert: fail with its words rather than a timeout.
    await page.locator('[data-testid=submission-status], [role=alert]').first().waitFor({ timeout: 60_000 });
    expect(await page.getByRole('alert').allInnerTexts()).toEqual([]);
    await page.getByTestId('submission-status').filter({ hasText: 'published' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('quarantined-files').filter({ hasText: 'exam-2026/scout-burned-in.dcm' }).waitFor();
    await page.screenshot({ ...screenshotPath('portal-upload.png'), fullPage: true });

    // What left the browser: three files, none with the originals' name or id.
    expect(sent).toHaveLength(3);
    for (const body of sent) expect(body.subarray(128, 132).toString('latin1')).toBe('DICM');
    for (const body of sent) for (const phi of PHI) expect(latin1(body)).not.toContain(phi);
    // What reached the intake bucket, as the commons kept it: the quarantined file's copy is the
    // intake object as received; the two CT files, published, keep the UIDs the browser gave them.
    const quarantined = [...(await objects(portal.commons.buckets.quarantine, 'quarantine/')).entries()].filter(
      ([k]) => !k.endsWith('.json'),
    );
    expect(quarantined).toHaveLength(1);
    const [, received] = quarantined[0]!;
    expect(sent.some((s) => s.equals(received))).toBe(true);
    for (const phi of PHI) expect(latin1(received)).not.toContain(phi);
    const released = await objects(portal.commons.buckets.released, 'studies/');
    const published = sent
      .map((body) => parseDicom(new Uint8Array(body)).summary)
      .filter((summary) => summary.modality === 'CT')
      .map((summary) => released.get(`studies/${summary.studyInstanceUid}/${summary.seriesInstanceUid}/${summary.sopInstanceUid}.dcm`));
    expect(published).toHaveLength(2);
    for (const body of published) {
      expect(body).toBeDefined();
      for (const phi of PHI) expect(latin1(body!)).not.toContain(phi);
    }
  }, 120_000);
});

/** Non-black pixels and a checksum of what the viewer's canvas shows (read back as a PNG data URL; browser code as text: the tests' tsconfig has no DOM). */
const READ_CANVAS = `(async () => {
  const canvas = document.querySelector('[data-testid=viewer] canvas');
  const image = new Image();
  image.src = canvas.toDataURL('image/png');
  await image.decode();
  const copy = document.createElement('canvas');
  copy.width = image.width;
  copy.height = image.height;
  const ctx = copy.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
  let lit = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) {
    const v = data[i] + data[i + 1] + data[i + 2];
    if (v > 30) lit += 1;
    sum = (sum + v * ((i >> 2) % 251)) % 1000000007;
  }
  return { lit, sum, total: data.length / 4 };
})()`;

async function canvasPixels(page: Page): Promise<{ lit: number; sum: number; total: number }> {
  return page.evaluate(READ_CANVAS) as Promise<{ lit: number; sum: number; total: number }>;
}

describe('study page and viewer', () => {
  it("draws a CT study's pixels from WADO-RS, and a window/level drag changes them", async () => {
    const researcher = await portal.api(['researcher']);
    const { studies } = await researcher.request<{ studies: { studyInstanceUid?: string; studyUid?: string; modalities?: string[] }[] }>(
      'GET',
      `/studies?project=${PORTAL_SAMPLE.openProject}&modality=CT`,
    );
    const study = studies[0]?.studyInstanceUid ?? studies[0]?.studyUid;
    expect(study).toBeDefined();

    const page = await portal.signIn('researcher', { next: `/studies/${study}` });
    await page
      .getByRole('img', { name: /^Thumbnail of CT/ })
      .first()
      .waitFor();
    await page.locator('[data-testid=viewer][data-status=ready]').waitFor({ timeout: 60_000 });
    await page.getByTestId('attributes').getByText('PatientIdentityRemoved').waitFor();
    let before = await canvasPixels(page);
    for (let i = 0; i < 20 && before.lit === 0; i++) {
      await page.waitForTimeout(250);
      before = await canvasPixels(page);
    }
    expect(before.lit).toBeGreaterThan(before.total / 20);

    const box = (await page.getByTestId('viewer').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 80, { steps: 8 });
    await page.mouse.up();
    await page.waitForTimeout(300);
    const after = await canvasPixels(page);
    expect(after.sum).not.toBe(before.sum);

    await page.getByRole('button', { name: 'CT lung' }).click();
    await page.getByTestId('viewer').focus();
    await page.keyboard.press('ArrowDown');
    await page.getByText(/Image 2 of 2/).waitFor();
    await expectAccessible(page);
    await page.screenshot({ ...screenshotPath('portal-study.png'), fullPage: true });
  }, 120_000);
});

describe('curator: quarantine queue', () => {
  it('releases the burned-in file after review, with a written reason and the pixel-review override', async () => {
    const page = await portal.signIn('curator', { next: `/curator?project=${PORTAL_SAMPLE.openProject}&rule=deid.pixel-review` });
    const item = page.getByTestId('quarantine-item').first();
    await item.waitFor();
    await expect(item.getByText('deid.pixel-review', { exact: true }).count()).resolves.toBeGreaterThan(0);
    // The pixel preview for the burned-in review: the quarantined file's first frame, rendered by the commons.
    await expect(
      item
        .getByRole('img', { name: /First frame of the quarantined file/ })
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).resolves.toBeGreaterThan(0);
    await expectAccessible(page);
    await page.screenshot({ ...screenshotPath('portal-curator.png'), fullPage: true });
    await item.getByLabel('Override deid.pixel-review (I reviewed it)').check();
    await item.getByLabel(/Reason/).fill('Scout image reviewed: no burned-in identifiers.');
    await item.getByRole('button', { name: 'Release' }).click();
    await item.getByText(/^Released/).waitFor({ timeout: 60_000 });

    const curator = await portal.api(['curator']);
    const { items } = await curator.request<{ items: { status: string }[] }>(
      'GET',
      `/quarantine?project=${PORTAL_SAMPLE.openProject}&status=released`,
    );
    expect(items).toHaveLength(1);
  }, 120_000);

  it('draws the boxes where OCR found a name in the pixels over the preview, and lists them in words', async () => {
    // 480 rows x 640 columns: the preview is 512 x 384, so the boxes are scaled by 0.8.
    const named = radiographWithText(480, 640, [{ text: 'DOE JANE 12/04/1970', pixelSize: 18, left: 24, top: 20 }], {
      burnedInAnnotation: 'NO',
      seed: 11,
    });
    const uploader = await portal.api(['site-uploader:site-a'], 'portal-ocr');
    const submission = await submitFiles(uploader, PORTAL_SAMPLE.openProject, 'site-a', { 'named.dcm': named.bytes });
    await portal.commons.idle();

    const page = await portal.signIn('curator', { next: `/curator?project=${PORTAL_SAMPLE.openProject}&submission=${submission}` });
    const item = page.getByTestId('quarantine-item').first();
    await item.getByTestId('text-region-overlay').waitFor();
    const boxes = await item
      .getByTestId('text-region-box')
      .evaluateAll((rects) => rects.map((r) => ['x', 'y', 'width', 'height'].map((a) => Number(r.getAttribute(a)))));
    expect(boxes.length).toBeGreaterThan(0);
    const drawn = named.boxes[0]!;
    const inFrame = boxes.map(([x, y, width, height]) => ({ x: x! / 0.8, y: y! / 0.8, width: width! / 0.8, height: height! / 0.8 }));
    expect(inFrame.some((box) => overlaps(box, drawn))).toBe(true);
    const listed = await item
      .getByRole('list', { name: /OCR found identifying text/ })
      .getByRole('listitem')
      .allInnerTexts();
    expect(listed).toHaveLength(boxes.length);
    expect(listed.join('\n')).toMatch(/known identifier, top left \(x \d+–\d+, y \d+–\d+ of 640 × 480 pixels\)/);
    expect(await item.innerText()).not.toMatch(/DOE|JANE|1970/);
    await expectAccessible(page);
  }, 120_000);
});
