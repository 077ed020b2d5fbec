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
  ])('%s is %s', (text, cls) => {
    expect(classifyToken(text, known)).toBe(cls);
  });

  it.each(['L', 'R', 'PA', 'PORTABLE', 'PORTABLI', 'Supine', 'kVp', '120', '7', '.', '—', 'ERECT'])('%s is not identifying', (text) => {
    expect(classifyToken(text, NO_KNOWN_IDENTIFIERS)).toBeUndefined();
  });
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
