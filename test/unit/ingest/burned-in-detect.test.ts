/**
 * The burned-in text check on small synthetic radiographs (OCR runs for real: a few images of
 * 384 x 512, so the file stays cheap): a name, a date and an ID in the pixels hold the file with
 * their boxes, faint text of either polarity too; a clean image passes; the CPU budget holds an
 * image it cannot finish as ocr-timeout, and wall-clock time alone does not.
 */
import {
  checkBurnedInText,
  DEFAULT_BURNED_IN_TEXT_POLICY,
  MIN_WORD_CONFIDENCE,
  stopOcr,
  type BurnedInTextCheck,
} from '../../../layers/ingest/burned-in';
import { Worker } from 'node:worker_threads';
import { CheckBudget, PROCESS_CLOCK, threadsClock } from '../../../layers/ingest/burned-in/budget';
import { ocrThreadsCpuMs, recognizeWords, startOcr } from '../../../layers/ingest/burned-in/ocr';
import { drawTexts, grayImageDicom, overlaps, radiographWithText } from '../../support/burned-in-dicom';
import { SYNTHETIC_PHI } from '../../support/synthetic-dicom';
import { outlinedRadiograph, rasterizeText, TrueTypeFont } from '../../support/text-raster';

const policy = DEFAULT_BURNED_IN_TEXT_POLICY;

afterAll(stopOcr);

function held(check: BurnedInTextCheck): Extract<BurnedInTextCheck, { status: 'held' }> {
  if (check.status !== 'held') throw new Error(`expected held, got ${check.status}`);
  return check;
}

describe('checkBurnedInText', () => {
  it("holds a radiograph with the patient's name burned in, recording its box as a known identifier and no text", async () => {
    const { bytes, boxes } = radiographWithText(384, 512, [{ text: 'DOE JANE', pixelSize: 16, left: 20, top: 16 }], {
      burnedInAnnotation: 'NO',
    });
    const check = held(await checkBurnedInText(bytes, policy));
    expect(check.reason).toBe('text-in-pixels');
    expect(check.regions.some((r) => r.classes.includes('known-identifier') && overlaps(r, boxes[0]!))).toBe(true);
    expect(JSON.stringify(check)).not.toMatch(/DOE|JANE/);
  });

  it('holds a date and an ID-like number that are not the file’s own, classed as date and id-like', async () => {
    const { bytes } = radiographWithText(384, 512, [
      { text: '03/14/1999', pixelSize: 16, left: 300, top: 330, face: 'DejaVuSansMono' },
      { text: 'ID 5567123', pixelSize: 14, left: 20, top: 330 },
    ]);
    const classes = held(await checkBurnedInText(bytes, policy)).regions.flatMap((r) => r.classes);
    expect(classes).toEqual(expect.arrayContaining(['date', 'id-like']));
  });

  it('passes a radiograph without text, and a marker alone (L, PORTABLE) is not identifying', async () => {
    expect((await checkBurnedInText(radiographWithText(384, 512, [], { seed: 3 }).bytes, policy)).status).toBe('clear');
    const marker = radiographWithText(384, 512, [{ text: 'L PORTABLE', pixelSize: 18, left: 30, top: 20 }], { seed: 4 });
    expect((await checkBurnedInText(marker.bytes, policy)).status).toBe('clear');
  });

  it("holds a 12 px date burned in near the outline of the ingest benchmark's radiograph, whose outline alone is not read (burned-in-ink-components)", async () => {
    const image = outlinedRadiograph(2500, 2048, 1);
    const [box] = drawTexts(image, [{ text: '1943-08-28', pixelSize: 12, left: 1500, top: 200, value: 300 + 1351 }]); // the bench's lowest contrast
    const regions = held(await checkBurnedInText(grayImageDicom(image, { modality: 'DX', burnedInAnnotation: 'NO' }), policy)).regions;
    expect(regions.some((r) => r.classes.includes('date') && overlaps(r, box!))).toBe(true);
  });

  it('does not OCR an image the policy does not put at risk (an ORIGINAL CT)', async () => {
    const { bytes } = radiographWithText(64, 64, [], { modality: 'CT' });
    expect(await checkBurnedInText(bytes, policy)).toEqual({ status: 'not-at-risk' });
  });

  it('holds faint text of either polarity: a date darker than the anatomy under it, a name with its caret on the dark border', async () => {
    const { bytes, boxes } = radiographWithText(
      384,
      512,
      [
        { text: '1943-08-28', pixelSize: 14, left: 200, top: 200, value: 1800, face: 'DejaVuSerif' },
        { text: 'AKAN^CIACH', pixelSize: 12, left: 10, top: 360, value: 1700, face: 'DejaVuSerif' },
      ],
      { seed: 1 },
    );
    const regions = held(await checkBurnedInText(bytes, policy)).regions;
    expect(regions.some((r) => r.classes.includes('date') && overlaps(r, boxes[0]!))).toBe(true);
    expect(regions.some((r) => r.classes.includes('name-like') && overlaps(r, boxes[1]!))).toBe(true);
  });

  it('reads the ink page as dark ink on white only: light text on black, which the ink page never holds, is not read again inverted', async () => {
    // The inverted second reading costs half the OCR time of a real radiograph read whole (NIH chest fixture) and finds only noise there.
    const mask = rasterizeText(TrueTypeFont.dejaVu('DejaVuSans'), 'MARTINSON 1234567', 20);
    const [width, height] = [mask.width + 40, mask.height + 40];
    const gray = new Uint8Array(width * height);
    for (let y = 0; y < mask.height; y++) {
      for (let x = 0; x < mask.width; x++)
        gray[(y + 20) * width + x + 20] = Math.round(255 * Math.min(1, mask.coverage[y * mask.width + x]!));
    }
    const words = await recognizeWords({ width, height, gray, factor: 1 }, new CheckBudget(60_000));
    expect(words.filter((w) => w.confidence >= MIN_WORD_CONFIDENCE).map((w) => w.text)).toEqual([]);
  });

  describe("the budget counts the check's own threads", () => {
    it("charges a check its calling thread and its OCR worker thread, not another thread's CPU (the process's clock, the default before, did)", async () => {
      await startOcr();
      const clock = threadsClock(ocrThreadsCpuMs);
      const [ownBefore, processBefore, ocrBefore] = [clock.cpuMs(), PROCESS_CLOCK.cpuMs(), ocrThreadsCpuMs()];
      // Another thread of the process spends 250 ms of CPU while the OCR worker reads a speckled page (about 30 ms of its CPU).
      const busy = new Worker(
        'const s = process.threadCpuUsage(); for (;;) { const u = process.threadCpuUsage(s); if (u.user + u.system >= 250000) break; }',
        { eval: true },
      );
      const exited = new Promise((resolve) => busy.once('exit', resolve));
      const gray = Uint8Array.from({ length: 384 * 384 }, (_, i) => ((i * 2654435761) >>> 24 < 30 ? 0 : 255));
      await recognizeWords({ width: 384, height: 384, gray, factor: 1 }, new CheckBudget(60_000));
      await exited;
      const [own, whole, ocr] = [clock.cpuMs() - ownBefore, PROCESS_CLOCK.cpuMs() - processBefore, ocrThreadsCpuMs()! - ocrBefore!];
      expect(ocr).toBeGreaterThan(0);
      expect(own).toBeGreaterThanOrEqual(ocr);
      expect(whole - own).toBeGreaterThanOrEqual(200);
    });
  });

  describe('the budget is CPU time', () => {
    const image = () => radiographWithText(384, 512, [{ text: SYNTHETIC_PHI.patientId, pixelSize: 16, left: 20, top: 20 }]).bytes;

    it('holds an image whose check spends more CPU than its budget as ocr-timeout, never as clear', async () => {
      let cpu = 0;
      const overspending = { cpuMs: () => (cpu += 5000), wallMs: () => performance.now() };
      const check = held(await checkBurnedInText(image(), policy, overspending));
      expect(check.reason).toBe('ocr-timeout');
      expect(check.regions).toEqual([]);
    });

    it('reads an image on a busy machine however long the wall clock runs, while its CPU stays in budget', async () => {
      const idle = { cpuMs: () => 0, wallMs: () => performance.now() };
      const check = held(await checkBurnedInText(image(), { ...policy, budgetMs: 1 }, idle));
      expect(check.reason).toBe('text-in-pixels');
    });
  });
});
