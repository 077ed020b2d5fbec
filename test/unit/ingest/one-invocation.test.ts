/**
 * IngestObject (issue 21) de-identifies and verifies in one invocation, on the one buffer it read from
 * S3: the verifier is independent only if the de-identify step leaves that buffer as the site sent it
 * (when the steps were separate tasks, Verify read the original from S3 again). A copy that shared or
 * changed the original's bytes would let the verifier compare the copy with itself.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_PROFILE } from '../../../layers/dicom';
import { deidentifyWithPixelChecks } from '../../../layers/ingest/process-instance';
import { loadQaConfig } from '../../../layers/qa';
import { makeDicom } from '../../support/synthetic-dicom';
import { SECRET } from '../dicom/helpers';

const key = { ...SECRET, profile: DEFAULT_PROFILE };
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** A Philips iU22 ultrasound of 480 rows: a tabled layout Clean Pixel Data blanks. */
const iu22 = () =>
  makeDicom({
    modality: 'US',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
    rows: 480,
    columns: 640,
    elements: { '00081090': { vr: 'LO', Value: ['iU22'] } },
  });

describe('de-identify then verify on one buffer, as IngestObject does', () => {
  it.each([
    ['a CT slice', () => makeDicom({ modality: 'CT', rows: 32, columns: 32 }), loadQaConfig({})],
    ['an ultrasound whose banner Clean Pixel Data blanks', iu22, loadQaConfig({ cleanPixelData: true })],
  ])('leaves the original of %s byte for byte as it was, and shares no memory with the copy', async (_what, make, config) => {
    const original = make();
    const before = digest(original);
    const deid = await deidentifyWithPixelChecks(original, { input: 'original', ...key }, { config, checkPixelText: false });
    expect(digest(original)).toBe(before);
    expect(deid.bytes.buffer).not.toBe(original.buffer);
    deid.bytes.fill(0); // whatever a later step does to the copy cannot reach the original
    expect(digest(original)).toBe(before);
  });
});
