import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_PROFILE,
  declaresBurnedInAnnotation,
  deidentify,
  keyFingerprint,
  verifyDeidentified,
  verifySiteDeidentified,
} from '../../../layers/dicom';
import {
  checkInstance,
  deidentifyInstance,
  processInstance,
  qaDecision,
  sopClaimOf,
  verifyInstance,
  VERIFIED,
} from '../../../layers/ingest/process-instance';
import { evaluateInstance, loadQaConfig } from '../../../layers/qa';
import { sha256Of } from '../../../layers/common/digest';
import { makeDicom } from '../../support/synthetic-dicom';
import { CT_RESCALE, goodCt } from '../qa/support';
import { SECRET } from '../dicom/helpers';

const config = loadQaConfig({});
const key = { ...SECRET, profile: DEFAULT_PROFILE };
const ruleIds = (findings: readonly { ruleId: string }[]) => findings.map((f) => f.ruleId);

describe('processInstance: the ingest steps composed for a decision outside the workflow', () => {
  it.each([
    ['a clean CT', () => goodCt()],
    ['a CT that declares burned-in text', () => goodCt({ elements: { ...CT_RESCALE, '00280301': { vr: 'CS', Value: ['YES'] } } })],
    ['a secondary capture', () => makeDicom({ modality: 'OT' })],
  ])(
    '%s: the same copy, verification and findings as the engine, the verifier and the rules called one after the other',
    async (_name, make) => {
      const original = make();
      const engine = deidentify(original, { ...SECRET, profile: DEFAULT_PROFILE });
      const verified = verifyDeidentified(original, engine.bytes, DEFAULT_PROFILE);
      const rules = evaluateInstance(engine.bytes, {
        config,
        deidOutcome: engine.outcome,
        pixelReview: engine.pixelReview,
        verification: { passed: verified.passed, failedChecks: [] },
      });

      const processed = await processInstance(original, { key, deidentifiedAtSite: false, config });

      if (!processed.readable) throw new Error('expected a readable instance');
      expect(Buffer.from(processed.output).equals(Buffer.from(engine.bytes))).toBe(true);
      expect(processed.verification).toEqual({ passed: verified.passed, checks: verified.checks, failedChecks: [] });
      expect(processed.findings).toEqual(rules.findings);
      expect(processed.uids).toEqual({
        studyUid: engine.summary.studyInstanceUid,
        seriesUid: engine.summary.seriesInstanceUid,
        sopUid: engine.summary.sopInstanceUid,
      });
    },
  );

  it('gives an unreadable original only its dicom.parses findings, and de-identifies nothing', async () => {
    const processed = await processInstance(goodCt().slice(0, 60), { key, deidentifiedAtSite: false, config });
    expect(processed.readable).toBe(false);
    expect(ruleIds(processed.findings)).toEqual(['dicom.parses']);
  });

  it('keeps a file de-identified at the site as received, checks it for the project key, and reads its burned-in flag', async () => {
    const atSite = deidentify(goodCt({ elements: { ...CT_RESCALE, '00280301': { vr: 'CS', Value: ['YES'] } } }), { ...SECRET }).bytes;
    const processed = await processInstance(atSite, { key, deidentifiedAtSite: true, config });
    if (!processed.readable) throw new Error('expected a readable instance');
    expect(processed.output).toBe(atSite);
    expect(processed.verification.passed).toBe(verifySiteDeidentified(atSite, DEFAULT_PROFILE, keyFingerprint(SECRET)).passed);
    expect(processed.verification.passed).toBe(true);
    expect(processed.deid?.outcome).toBe('needs-pixel-review');
    expect(ruleIds(processed.findings)).toContain('deid.pixel-review');
  });

  it("records a site file keyed with another project's secret as a deid.verified finding, without reading its flag", async () => {
    const atSite = deidentify(goodCt(), { ...SECRET, secret: 'another-projects-secret' }).bytes;
    const processed = await processInstance(atSite, { key, deidentifiedAtSite: true, config });
    if (!processed.readable) throw new Error('expected a readable instance');
    expect(processed.verification.passed).toBe(false);
    expect(processed.deid).toBeUndefined();
    expect(ruleIds(processed.findings)).toContain('deid.verified');
    expect(qaDecision(processed.findings)).toBe('quarantine');
  });
});

describe('the copy joined into memory the caller lends (CopyMemory)', () => {
  const FILL = 0xa5;
  /** One buffer every copy is joined into, as a kept buffer is reused: whatever the last copy left is still in it. */
  const reusedMemory = () => {
    const memory = new Uint8Array(64 * 1024).fill(FILL);
    const lent: number[] = [];
    return { memory, lent, into: (length: number) => (lent.push(length), memory.subarray(0, length)) };
  };
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b));

  it("is the engine's copy, byte for byte, written in the lent memory", () => {
    const original = goodCt({ rows: 32, columns: 32 });
    const { memory, lent, into } = reusedMemory();
    const copy = deidentifyInstance(original, { input: 'original', ...key }, into);
    const engine = deidentify(original, { ...SECRET, profile: DEFAULT_PROFILE });
    expect(lent).toEqual([engine.byteLength]);
    expect(copy.bytes.buffer).toBe(memory.buffer);
    expect(same(copy.bytes, engine.bytes)).toBe(true);
  });

  it("never carries one object's bytes into the next object's copy made in the same memory", () => {
    const larger = goodCt({ rows: 64, columns: 64, patient: { id: 'LARGER-1', name: 'LARGER^ONE' } });
    const smaller = goodCt({ rows: 16, columns: 16, patient: { id: 'SMALLER-2', name: 'SMALLER^TWO' } });
    const { memory, into } = reusedMemory();
    const first = deidentifyInstance(larger, { input: 'original', ...key }, into);
    const firstLength = first.bytes.byteLength;
    const second = deidentifyInstance(smaller, { input: 'original', ...key }, into);
    const engine = deidentify(smaller, { ...SECRET, profile: DEFAULT_PROFILE });
    expect(second.bytes.buffer).toBe(memory.buffer);
    expect(second.bytes.byteLength).toBeLessThan(firstLength);
    expect(same(second.bytes, engine.bytes)).toBe(true);
    expect(verifyInstance(smaller, second.bytes, { input: 'original', profile: DEFAULT_PROFILE }).passed).toBe(true);
  });

  it('gives processInstance the same output, verification and findings as a copy in new memory', async () => {
    const original = goodCt({ elements: { ...CT_RESCALE, '00280301': { vr: 'CS', Value: ['YES'] } } });
    const { memory, into } = reusedMemory();
    const lent = await processInstance(original, { key, deidentifiedAtSite: false, config, into });
    const fresh = await processInstance(original, { key, deidentifiedAtSite: false, config });
    if (!lent.readable || !fresh.readable) throw new Error('expected a readable instance');
    expect(lent.output.buffer).toBe(memory.buffer);
    expect(same(lent.output, fresh.output)).toBe(true);
    expect(lent.verification).toEqual(fresh.verification);
    expect(lent.findings).toEqual(fresh.findings);
  });

  it('is not asked for memory for a file de-identified at the site: that copy is the file as received', () => {
    const atSite = deidentify(goodCt(), { ...SECRET }).bytes;
    const { lent, into } = reusedMemory();
    expect(deidentifyInstance(atSite, { input: 'deidentified-at-site' }, into).bytes).toBe(atSite);
    expect(lent).toEqual([]);
  });
});

describe('the ingest steps', () => {
  it('name each failed verification check once, keyword included, never a value', () => {
    const original = goodCt();
    const result = verifyInstance(original, original, { input: 'original', profile: DEFAULT_PROFILE });
    expect(result.passed).toBe(false);
    expect(new Set(result.failedChecks).size).toBe(result.failedChecks.length);
    expect(result.failedChecks.join(' ')).not.toMatch(/DOE|JOHN/i);
  });

  it("claim the SOP UID with the copy's SHA-256 and the UIDs QA read from it", () => {
    const copy = deidentifyInstance(goodCt(), { input: 'original', ...key });
    const checked = checkInstance(copy.bytes, { config, deidOutcome: copy.outcome, verification: VERIFIED });
    expect(checked.uids).toEqual(copy.uids);
    expect(sopClaimOf(checked.uids!, sha256Of(copy.bytes))).toEqual({
      ...copy.uids,
      sha256: createHash('sha256').update(copy.bytes).digest('hex'),
    });
  });
});

describe('one burned-in decision', () => {
  it.each([
    ['YES', true],
    ['YES ', true],
    [' yes', true],
    ['Yes', true],
    ['NO', false],
    ['', false],
    [undefined, false],
    ['YESNO', false],
  ] as const)('BurnedInAnnotation %j declares burned-in text: %s', (value, expected) => {
    expect(declaresBurnedInAnnotation(value)).toBe(expected);
  });

  it('the de-identifier, the ingest of a site-de-identified file and the offline QA rule agree on a lower-case "yes"', () => {
    const original = goodCt({ elements: { ...CT_RESCALE, '00280301': { vr: 'CS', Value: ['yes'] } } });
    expect(deidentifyInstance(original, { input: 'original', ...key }).outcome).toBe('needs-pixel-review');
    // The flag as a site-de-identified file would carry it (the step reads it; Verify checks the rest).
    expect(deidentifyInstance(original, { input: 'deidentified-at-site' }).outcome).toBe('needs-pixel-review');
    // What `hilum qa` checks at the site before upload: the rule itself, no de-identification outcome.
    expect(ruleIds(evaluateInstance(original, { config, phase: 'original' }).findings)).toContain('deid.pixel-review');
  });
});

describe('a file de-identified at the site gets the pixel-review decision of its original', () => {
  const FIXTURES = join(__dirname, '../../fixtures/dicom');
  const readable = (JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { path: string; dcmdumpParses: boolean }[])
    .filter((f) => f.dcmdumpParses && !f.path.startsWith('private/') && !f.path.startsWith('malformed/'))
    .map((f) => f.path);

  it.each(readable)('%s: the same triggers from the site copy as from the original', (path) => {
    const atCommons = deidentifyInstance(new Uint8Array(readFileSync(join(FIXTURES, path))), { input: 'original', ...key });
    const atSite = deidentifyInstance(atCommons.bytes, { input: 'deidentified-at-site' });
    expect({ outcome: atSite.outcome, pixelReview: atSite.pixelReview }).toEqual({
      outcome: atCommons.outcome,
      pixelReview: atCommons.pixelReview,
    });
  });

  it('quarantines the site copy of the CR that declares nothing, naming the trigger, as the check before upload does', async () => {
    const copy = deidentifyInstance(new Uint8Array(readFileSync(join(FIXTURES, 'patient-77654033/cr-cspine/CR1_6154.dcm'))), {
      input: 'original',
      ...key,
    }).bytes;
    const processed = await processInstance(copy, { key, deidentifiedAtSite: true, config });
    expect(processed.findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([
      'deid.pixel-review: radiograph (CR) not declared free of burned-in text: BurnedInAnnotation absent, ImageType not ORIGINAL',
    ]);
  });
});
