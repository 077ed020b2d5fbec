/**
 * Clean Pixel Data in the de-identify step (issue 18): applied to an original of a tabled device when the
 * project enables it (113101 recorded, the regions blanked, the verifier passing the copy), never when it
 * does not; and what cleaning does to the pixel-review hold: a cleaned image whose OCR check finds nothing
 * outside the blanked regions is cleared of the header and SOP-class triggers, one with text left outside
 * them (or whose check could not run) stays held, a tabled image that cannot be cleaned is held.
 */
import { DEFAULT_PROFILE, deidentify, storedFrames, verifyDeidentified } from '../../../layers/dicom';
import { isAtRisk, DEFAULT_BURNED_IN_TEXT_POLICY, type BurnedInTextCheck } from '../../../layers/ingest/burned-in';
import { insideBlankedRegion, policyForCleanedImage, textLeftAfterCleaning } from '../../../layers/ingest/clean-pixels';
import {
  deidentifyInstance,
  deidentifyWithPixelChecks,
  processInstance,
  withCleanedPixels,
  type DeidentifiedInstance,
} from '../../../layers/ingest/process-instance';
import { evaluateInstance, InvalidQaConfig, loadQaConfig } from '../../../layers/qa';
import { makeDicom } from '../../support/synthetic-dicom';
import { SECRET } from '../dicom/helpers';

const key = { ...SECRET, profile: DEFAULT_PROFILE };
const on = loadQaConfig({ cleanPixelData: true });
const off = loadQaConfig({});
const US_SOP = '1.2.840.10008.5.1.4.1.1.6.1';
/** The Philips iU22 layout of 480 rows blanks [0, 0, 640, 47]. */
const BANNER = [[0, 0, 640, 47]] as const;

const iu22 = (elements = {}): Uint8Array =>
  makeDicom({
    modality: 'US',
    sopClassUid: US_SOP,
    rows: 480,
    columns: 640,
    elements: { '00081090': { vr: 'LO', Value: ['iU22'] }, ...elements },
  });

const codesOf = (part10: Uint8Array): string => Buffer.from(part10).toString('latin1');

const box = (x: number, y: number, width: number, height: number) => ({ x, y, width, height, classes: ['known-identifier' as const] });
const held = (...regions: ReturnType<typeof box>[]): BurnedInTextCheck => ({ status: 'held', reason: 'text-in-pixels', regions, ms: 5 });

describe('text the OCR check found, read for a cleaned copy', () => {
  it('drops boxes wholly inside a blanked region and keeps one that reaches outside', () => {
    expect(insideBlankedRegion(box(10, 5, 200, 30), BANNER)).toBe(true);
    expect(insideBlankedRegion(box(10, 30, 200, 30), BANNER)).toBe(false);
    expect(textLeftAfterCleaning(held(box(10, 5, 200, 30), box(400, 10, 100, 20)), BANNER)).toEqual({ status: 'clear', ms: 5 });
    expect(textLeftAfterCleaning(held(box(10, 5, 200, 30), box(20, 300, 100, 20)), BANNER)).toEqual(held(box(20, 300, 100, 20)));
  });

  it('keeps a check that could not finish held', () => {
    const timeout: BurnedInTextCheck = { status: 'held', reason: 'ocr-timeout', regions: [], ms: 8000 };
    expect(textLeftAfterCleaning(timeout, BANNER)).toBe(timeout);
  });

  it('checks a cleaned image whatever its SOP class, unless the project turned the check off', () => {
    const us = { sopClassUid: US_SOP, modality: 'US', imageType: ['ORIGINAL', 'PRIMARY'] };
    expect(isAtRisk(us, DEFAULT_BURNED_IN_TEXT_POLICY)).toBe(false);
    expect(isAtRisk(us, policyForCleanedImage(DEFAULT_BURNED_IN_TEXT_POLICY, US_SOP))).toBe(true);
    expect(isAtRisk(us, policyForCleanedImage({ ...DEFAULT_BURNED_IN_TEXT_POLICY, enabled: false }, US_SOP))).toBe(false);
  });
});

describe('the pixel-review decision for a cleaned image', () => {
  const deid: DeidentifiedInstance = {
    bytes: new Uint8Array([1]),
    uids: { studyUid: '2.25.1', seriesUid: '2.25.2', sopUid: '2.25.3' },
    outcome: 'needs-pixel-review',
    pixelReview: ['burned-in-annotation'],
    actionCounts: {},
    keptAsReceived: false,
  };
  const cleaning = { status: 'cleaned', layout: 'philips-iu22-480', regions: BANNER, bytes: new Uint8Array([2]) } as const;

  it('clears every trigger when the only text OCR found was inside the blanked regions', () => {
    const decided = withCleanedPixels(deid, cleaning, held(box(10, 5, 200, 30)));
    expect(decided).toMatchObject({ outcome: 'ok', pixelReview: [], pixelsCleared: true, cleanedLayout: 'philips-iu22-480' });
    expect(decided.bytes).toBe(cleaning.bytes);
    expect(decided.textRegions).toBeUndefined();
  });

  it('holds it with only the boxes outside the regions when text is left there', () => {
    const decided = withCleanedPixels(deid, cleaning, held(box(10, 5, 200, 30), box(20, 300, 100, 20)));
    expect(decided).toMatchObject({ outcome: 'needs-pixel-review', pixelReview: ['burned-in-annotation', 'text-in-pixels'] });
    expect(decided.pixelsCleared).toBeUndefined();
    expect(decided.textRegions).toEqual([box(20, 300, 100, 20)]);
    expect(decided.bytes).toBe(cleaning.bytes);
  });

  it('keeps the header evidence when no OCR check ran (the project turned it off, or the curator re-checks)', () => {
    for (const check of [{ status: 'not-at-risk' } as const, undefined]) {
      expect(withCleanedPixels(deid, cleaning, check)).toMatchObject({
        outcome: 'needs-pixel-review',
        pixelReview: ['burned-in-annotation'],
      });
    }
  });

  it('holds a tabled image that could not be cleaned, and leaves an untabled one as the OCR check says', () => {
    const refused = withCleanedPixels(
      { ...deid, outcome: 'ok', pixelReview: [] },
      { status: 'refused', layout: 'x' },
      { status: 'clear', ms: 1 },
    );
    expect(refused).toMatchObject({ outcome: 'needs-pixel-review', pixelReview: ['clean-pixel-data-refused'] });
    expect(refused.bytes).toBe(deid.bytes);
    const untabled = withCleanedPixels(
      { ...deid, outcome: 'ok', pixelReview: [] },
      { status: 'no-known-layout' },
      { status: 'clear', ms: 1 },
    );
    expect(untabled).toMatchObject({ outcome: 'ok', pixelReview: [] });
    expect(untabled.pixelsCleared).toBeUndefined();
  });
});

describe('deidentifyWithPixelChecks (no OCR here: the integration test runs it)', () => {
  it("leaves a tabled device's pixels alone when the project does not enable Clean Pixel Data (the default)", async () => {
    const original = iu22();
    const step = await deidentifyWithPixelChecks(original, { input: 'original', ...key }, { config: off, checkPixelText: false });
    expect(off.cleanPixelData).toBe(false);
    expect(Buffer.from(step.bytes).equals(Buffer.from(deidentifyInstance(original, { input: 'original', ...key }).bytes))).toBe(true);
    expect(step.cleanedLayout).toBeUndefined();
  });

  it("blanks a tabled device's regions, records 113101, and the verifier passes the copy", async () => {
    const original = iu22();
    const step = await deidentifyWithPixelChecks(original, { input: 'original', ...key }, { config: on, checkPixelText: false });
    expect(step.cleanedLayout).toBe('philips-iu22-480');
    expect(codesOf(step.bytes)).toContain('113101');
    const [frame] = storedFrames(step.bytes).frames;
    const samples = new Uint16Array(new Uint8Array(frame!).buffer);
    expect(samples.subarray(0, 640 * 47).every((v) => v === 0)).toBe(true);
    expect(verifyDeidentified(original, step.bytes, DEFAULT_PROFILE)).toMatchObject({ passed: true, failures: [] });
  });

  it('processes a device of no tabled layout as before, and holds a tabled palette image it cannot clean', async () => {
    const ct = makeDicom({ modality: 'CT', rows: 32, columns: 32 });
    const step = await deidentifyWithPixelChecks(ct, { input: 'original', ...key }, { config: on, checkPixelText: false });
    expect(Buffer.from(step.bytes).equals(Buffer.from(deidentify(ct, key).bytes))).toBe(true);
    const palette = iu22({ '00280004': { vr: 'CS', Value: ['PALETTE COLOR'] } });
    const refused = await deidentifyWithPixelChecks(palette, { input: 'original', ...key }, { config: on, checkPixelText: false });
    expect(refused).toMatchObject({ outcome: 'needs-pixel-review', pixelReview: ['clean-pixel-data-refused'] });
    expect(codesOf(refused.bytes)).not.toContain('113101');
  });
});

describe('QA of a cleaned image', () => {
  it("lifts the project's high-risk SOP-class trigger only for an image Clean Pixel Data cleared", async () => {
    const processed = await processInstance(iu22(), {
      key,
      deidentifiedAtSite: false,
      config: loadQaConfig({ cleanPixelData: true, modalities: ['US'] }),
    });
    if (!processed.readable) throw new Error('expected a readable instance');
    expect(processed.verification.passed).toBe(true);
    // The curator's re-check runs no OCR: the ultrasound SOP class still asks for review.
    expect(processed.findings.map((f) => f.ruleId)).toContain('deid.pixel-review');
    const cleared = evaluateInstance(processed.output, { config: on, deidOutcome: 'ok', pixelReview: [], pixelsCleared: true });
    expect(cleared.findings.map((f) => f.ruleId)).not.toContain('deid.pixel-review');
  });

  it('is off by default and takes only a boolean', () => {
    expect(loadQaConfig({}).cleanPixelData).toBe(false);
    expect(() => loadQaConfig({ cleanPixelData: 'yes' })).toThrow(InvalidQaConfig);
  });
});
