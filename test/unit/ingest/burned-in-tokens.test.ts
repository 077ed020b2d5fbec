/**
 * What the burned-in text check counts as identifying, which images it reads, and how a project
 * configures it: pure functions, no OCR.
 */
import { readDicomHeader } from '../../../layers/dicom';
import {
  classifyToken,
  DEFAULT_BURNED_IN_TEXT_POLICY,
  isAtRisk,
  knownIdentifiersOf,
  NO_KNOWN_IDENTIFIERS,
  textRegions,
} from '../../../layers/ingest/burned-in';
import { CheckBudget, wallCeilingMs, type CheckClock } from '../../../layers/ingest/burned-in/budget';
import { inkOnPaper } from '../../../layers/ingest/burned-in/flatten';
import { withPixelText } from '../../../layers/ingest/process-instance';
import { DEFAULT_QA_CONFIG, loadQaConfig } from '../../../layers/qa';
import { makeDicom, SYNTHETIC_PHI } from '../../support/synthetic-dicom';

const known = knownIdentifiersOf(readDicomHeader(makeDicom({ modality: 'CR' })).dict);

describe('token classes', () => {
  it.each([
    ['DOE', 'known-identifier'],
    ['jane', 'known-identifier'],
    ['Quinn,', 'known-identifier'],
    [SYNTHETIC_PHI.patientId, 'known-identifier'],
    ['MRN90210-77', 'known-identifier'],
    ['ACC-2024-000123', 'known-identifier'],
    ['12/04/1970', 'known-identifier'], // the birth date, day first
    ['04.12.1970', 'known-identifier'], // the birth date, month first
    ['1970-04-12', 'known-identifier'],
    ['2001-02-03', 'date'],
    ['3/14/1999', 'date'],
    ['14-MAR-1999', 'date'],
    ['March 14, 1999', 'date'],
    ['5567123', 'id-like'],
    ['AB1234', 'id-like'],
    ['Smithson', 'name-like'],
    ["O'Brien", 'name-like'],
    // The caret between name components as OCR reads it (bench burned-in).
    ['DOE~JANE', 'known-identifier'],
    ['Quinn\u201D~Doe', 'known-identifier'],
    ['Tinbro\u201D~rigar', 'name-like'],
    ['Chgarbro*rimar', 'name-like'],
    ['AKAN~CIACH', 'name-like'],
  ])('%s is %s', (text, cls) => {
    expect(classifyToken(text, known)).toBe(cls);
  });

  // `Ny`, `ce`: what OCR reads out of the edges of real images' anatomy (MR_small, the NIH chest) on the ink page.
  it.each(['L', 'R', 'PA', 'PORTABLE', 'PORTABLI', 'Supine', 'kVp', '120', '7', '.', '—', 'ERECT', 'Ny', 'ce'])(
    '%s is not identifying',
    (text) => {
      expect(classifyToken(text, NO_KNOWN_IDENTIFIERS)).toBeUndefined();
    },
  );
});

describe('text regions', () => {
  it('keeps confident classified words, scaled to the original pixels, and reads a date written across words', () => {
    const word = (text: string, x: number, confidence = 90, line = 0) => ({
      text,
      confidence,
      line,
      box: { x, y: 10, width: 20, height: 8 },
    });
    const regions = textRegions(
      [word('DOE', 5), word('14', 40, 90, 1), word('Mar', 62, 90, 1), word('1999', 84, 90, 1), word('Hartley', 120, 30)],
      known,
      2,
    );
    expect(regions).toHaveLength(2);
    expect(regions).toEqual(
      expect.arrayContaining([
        { x: 10, y: 20, width: 40, height: 16, classes: ['known-identifier'] },
        { x: 80, y: 20, width: 128, height: 16, classes: ['date'] },
      ]),
    );
  });

  it('keeps a long word whose every character is sure though its dictionary-weighed confidence is low; not a short one', () => {
    const word = (text: string, x: number, characterConfidence: number) => ({
      text,
      confidence: 15,
      characterConfidence,
      line: 0,
      box: { x, y: 10, width: 20, height: 8 },
    });
    const regions = textRegions([word('AKAN~CIACH', 0, 90), word('Hartley', 40, 60), word('Ee', 80, 99)], NO_KNOWN_IDENTIFIERS, 1);
    expect(regions).toEqual([{ x: 0, y: 10, width: 20, height: 8, classes: ['name-like'] }]);
  });
});

describe('at-risk images', () => {
  const policy = DEFAULT_BURNED_IN_TEXT_POLICY;
  const image = (sopClassUid: string, modality: string, imageType: string[]) => ({ sopClassUid, modality, imageType });
  it.each([
    ['CR', image('1.2.840.10008.5.1.4.1.1.1', 'CR', ['ORIGINAL', 'PRIMARY'])],
    ['DX for presentation', image('1.2.840.10008.5.1.4.1.1.1.1', 'DX', ['ORIGINAL', 'PRIMARY'])],
    ['mammography (DX family)', image('1.2.840.10008.5.1.4.1.1.1.2', 'MG', ['ORIGINAL', 'PRIMARY'])],
    ['Secondary Capture', image('1.2.840.10008.5.1.4.1.1.7', 'OT', [])],
    ['multi-frame SC', image('1.2.840.10008.5.1.4.1.1.7.4', 'OT', [])],
    ['a DERIVED CT', image('1.2.840.10008.5.1.4.1.1.2', 'CT', ['DERIVED', 'PRIMARY', 'AXIAL'])],
    ['a SECONDARY MR', image('1.2.840.10008.5.1.4.1.1.4', 'MR', ['ORIGINAL', 'SECONDARY'])],
  ])('%s is checked by default', (_, input) => {
    expect(isAtRisk(input, policy)).toBe(true);
  });

  it('an ORIGINAL PRIMARY CT is not checked; nothing is when the project turns the check off', () => {
    expect(isAtRisk(image('1.2.840.10008.5.1.4.1.1.2', 'CT', ['ORIGINAL', 'PRIMARY', 'AXIAL']), policy)).toBe(false);
    expect(isAtRisk(image('1.2.840.10008.5.1.4.1.1.1', 'CR', []), { ...policy, enabled: false })).toBe(false);
  });

  it('a project configures the images checked and the budget; the defaults apply where it says nothing', () => {
    expect(DEFAULT_QA_CONFIG.burnedInText).toEqual(DEFAULT_BURNED_IN_TEXT_POLICY);
    const config = loadQaConfig({ burnedInText: { modalities: ['US'], sopClasses: [], imageTypeValues: [], budgetMs: 2000 } });
    expect(config.burnedInText.budgetMs).toBe(2000);
    expect(isAtRisk(image('1.2.840.10008.5.1.4.1.1.6.1', 'US', ['ORIGINAL']), config.burnedInText)).toBe(true);
    expect(isAtRisk(image('1.2.840.10008.5.1.4.1.1.1', 'CR', ['DERIVED']), config.burnedInText)).toBe(false);
    expect(() => loadQaConfig({ burnedInText: { budgetMs: 0 } })).toThrow(/burnedInText.budgetMs/);
  });
});

describe('the check folded into the de-identify step', () => {
  const deid = {
    bytes: new Uint8Array(),
    uids: { studyUid: '1.2', seriesUid: '1.2.3', sopUid: '1.2.3.4' },
    outcome: 'ok' as const,
    pixelReview: [],
    actionCounts: {},
    keptAsReceived: false,
  };
  const region = { x: 1, y: 2, width: 3, height: 4, classes: ['date' as const] };

  it('a held image needs pixel review with its reason among the triggers and its boxes; a clear one is unchanged', () => {
    expect(withPixelText(deid, { status: 'held', reason: 'text-in-pixels', regions: [region], ms: 5 })).toMatchObject({
      outcome: 'needs-pixel-review',
      pixelReview: ['text-in-pixels'],
      textRegions: [region],
    });
    expect(withPixelText(deid, { status: 'held', reason: 'ocr-timeout', regions: [], ms: 5 }).pixelReview).toEqual(['ocr-timeout']);
    expect(withPixelText(deid, { status: 'clear', ms: 5 })).toBe(deid);
    expect(withPixelText(deid, { status: 'not-at-risk' })).toBe(deid);
  });
});

describe('the page OCR reads', () => {
  // 96 x 64: a bright left half and a dark right half, a soft ramp down the rows, a little noise;
  // a bright stroke on the dark side and a dark stroke on the bright side, each a third of the range away.
  const width = 96;
  const height = 64;
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) gray[y * width + x] = (x < 48 ? 190 : 40) + Math.round(y / 8) + ((x * 7 + y * 13) % 5);
  }
  for (let y = 30; y < 34; y++) {
    for (let x = 10; x < 30; x++) gray[y * width + x] = gray[y * width + x]! - 85;
    for (let x = 60; x < 80; x++) gray[y * width + x] = gray[y * width + x]! + 85;
  }
  const page = inkOnPaper({ width, height, gray, factor: 2 }, 16);
  const at = (x: number, y: number): number => page.gray[y * width + x]!;

  it('draws strokes of either polarity as dark ink, and smooth background and noise as white paper', () => {
    expect(at(20, 31)).toBeLessThan(64); // dark stroke over bright anatomy
    expect(at(70, 31)).toBeLessThan(64); // bright stroke on the dark border
    for (const [x, y] of [
      [5, 5],
      [40, 60],
      [90, 10],
      [70, 50],
    ] as const) {
      expect(at(x, y)).toBe(255);
    }
    expect(page).toMatchObject({ width, height, factor: 2 });
  });
});

describe('the per-image budget', () => {
  /** A clock whose CPU and wall readings the test sets. */
  const clock = (): CheckClock & { cpu: number; wall: number } => {
    const c = { cpu: 1000, wall: 5000, cpuMs: () => c.cpu, wallMs: () => c.wall };
    return c;
  };

  it('counts CPU time: a check on a busy machine (wall time passing, little CPU) stays within budget', () => {
    const c = clock();
    const budget = new CheckBudget(1000, c);
    c.wall += 30_000;
    c.cpu += 999;
    expect(budget.overrun()).toBe(false);
    c.cpu += 1;
    expect(budget.overrun()).toBe(true);
    expect(budget.cpuSpentMs()).toBe(1000);
  });

  it('gives up a check that spends no CPU (a stalled worker) at the wall-clock ceiling', () => {
    const c = clock();
    const budget = new CheckBudget(8000, c);
    expect(wallCeilingMs(8000)).toBe(60_000);
    expect(wallCeilingMs(30_000)).toBe(120_000);
    c.wall += 59_999;
    expect(budget.overrun()).toBe(false);
    c.wall += 1;
    expect(budget.overrun()).toBe(true);
  });
});
