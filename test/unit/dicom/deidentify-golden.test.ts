/**
 * Golden outputs: the engine's bytes, outcome, reasons and counts for every
 * committed fixture under several profiles, pinned as SHA-256 digests. A
 * performance change to layers/dicom/deidentify must leave every output
 * byte-identical; a deliberate behaviour change regenerates the file with
 * HILUM_UPDATE_GOLDEN=1 npx jest test/unit/dicom/deidentify-golden.test.ts
 * and says why in its commit.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deidentify, BASIC_PROFILE, DEFAULT_PROFILE, type DeidProfile } from '../../../layers/dicom';
import { makeDicom, SYNTHETIC_PHI } from '../../support/synthetic-dicom';
import { fixture, fixturesIn } from './helpers';

const GOLDEN = join(__dirname, 'golden/deidentify-golden.json');

const everyOption: DeidProfile = {
  ...DEFAULT_PROFILE,
  name: 'golden-all',
  options: {
    retainPatientCharacteristics: true,
    retainLongitudinalModifiedDates: false,
    retainLongitudinalFullDates: true,
    cleanDescriptors: true,
    retainSafePrivate: true,
    retainDeviceIdentity: true,
    retainInstitutionIdentity: true,
  },
  keep: ['(0018,1030)'],
};
const safePrivateModified: DeidProfile = {
  ...DEFAULT_PROFILE,
  name: 'golden-private',
  options: { ...DEFAULT_PROFILE.options, retainSafePrivate: true },
  dates: { minShiftDays: 30, maxShiftDays: 60, keepTimes: false },
  ageCapYears: 40,
};
const PROFILES: readonly DeidProfile[] = [DEFAULT_PROFILE, BASIC_PROFILE, everyOption, safePrivateModified];
const KEYS = { secret: 'golden-secret-0123456789abcdef0123456789', project: 'golden', site: 'golden-site' };

/** Generated inputs (private blocks, planted identifiers in text, radiographs); their own digest is pinned too. */
const SYNTHETIC: Record<string, () => Uint8Array> = {
  'ct-private-block': () => makeDicom({ instanceNumber: 3 }),
  'dx-original': () =>
    makeDicom({ modality: 'DX', rows: 64, columns: 48, elements: { '00080008': { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY'] } } }),
  'cr-burned-in': () => makeDicom({ modality: 'CR', burnedInAnnotation: 'YES' }),
  'text-with-identifiers': () =>
    makeDicom({
      elements: {
        '00204000': { vr: 'LT', Value: [`Follow-up for ${SYNTHETIC_PHI.patientName} (${SYNTHETIC_PHI.patientId}), SLEEP STUDY`] },
        '00081030': { vr: 'LO', Value: [`CT ${SYNTHETIC_PHI.patientId} chest`] },
        '00101010': { vr: 'AS', Value: ['093Y'] },
      },
    }),
};

type Golden = Record<
  string,
  | {
      inputSha256?: string;
      sha256: string;
      byteLength: number;
      outcome: string;
      pixelReview: readonly string[];
      actionCounts: Record<string, number>;
    }
  | { error: string }
>;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function run(input: Uint8Array, profile: DeidProfile, synthetic: boolean): Golden[string] {
  try {
    const out = deidentify(input, { ...KEYS, profile });
    const sorted = Object.fromEntries(Object.entries(out.actionCounts).sort(([a], [b]) => (a < b ? -1 : 1)));
    return {
      ...(synthetic && { inputSha256: sha256(input) }),
      sha256: sha256(out.bytes),
      byteLength: out.byteLength,
      outcome: out.outcome,
      pixelReview: out.pixelReview,
      actionCounts: sorted,
    };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const inputs = [
  ...fixturesIn('.').map((path) => ({ name: path, bytes: fixture(path), synthetic: false })),
  ...Object.entries(SYNTHETIC).map(([name, make]) => ({ name: `synthetic:${name}`, bytes: make(), synthetic: true })),
];
const cases = inputs.flatMap((input) => PROFILES.map((profile) => ({ input, profile, key: `${profile.name} ${input.name}` })));
const current: Golden = Object.fromEntries(cases.map((c) => [c.key, run(c.input.bytes, c.profile, c.input.synthetic)]));

if (process.env.HILUM_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(current, null, 1)}\n`);
const golden = (existsSync(GOLDEN) ? JSON.parse(readFileSync(GOLDEN, 'utf8')) : {}) as Golden;

describe('de-identified outputs match the pinned golden digests', () => {
  it('covers every fixture under every golden profile', () => {
    expect(Object.keys(golden).sort()).toEqual(Object.keys(current).sort());
    expect(cases.length).toBeGreaterThan(80);
  });

  it.each(cases.map((c) => c.key))('%s', (key) => {
    const [now, pinned] = [current[key], golden[key]];
    // A changed synthetic input means test/support/synthetic-dicom.ts changed, not the engine: regenerate.
    if (now && pinned && 'inputSha256' in now && 'inputSha256' in pinned)
      expect({ input: now.inputSha256 }).toEqual({ input: pinned.inputSha256 });
    expect(now).toEqual(pinned);
  });
});
