/**
 * The burned-in text check on small synthetic radiographs (OCR runs for real: a few images of
 * 384 x 512, so the file stays cheap): a name, a date and an ID in the pixels hold the file with
 * their boxes; a clean image passes; the budget holds an image it cannot finish as ocr-timeout.
 */
import { checkBurnedInText, DEFAULT_BURNED_IN_TEXT_POLICY, stopOcr, type BurnedInTextCheck } from '../../../layers/ingest/burned-in';
import { overlaps, radiographWithText } from '../../support/burned-in-dicom';
import { SYNTHETIC_PHI } from '../../support/synthetic-dicom';

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

  it('does not OCR an image the policy does not put at risk (an ORIGINAL CT)', async () => {
    const { bytes } = radiographWithText(64, 64, [], { modality: 'CT' });
    expect(await checkBurnedInText(bytes, policy)).toEqual({ status: 'not-at-risk' });
  });

  it('holds an image whose check overruns the budget as ocr-timeout, never as clear', async () => {
    const { bytes } = radiographWithText(384, 512, [{ text: SYNTHETIC_PHI.patientId, pixelSize: 16, left: 20, top: 20 }]);
    const check = held(await checkBurnedInText(bytes, { ...policy, budgetMs: 1 }));
    expect(check.reason).toBe('ocr-timeout');
    expect(check.regions).toEqual([]);
  });
});
