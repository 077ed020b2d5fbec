/**
 * Property test: randomly generated data sets with identifiers planted in
 * random attributes (identifying ones, free text, private elements, unknown
 * public tags) at random nesting levels. The engine's output always passes the
 * independent verifier, and the verifier catches deliberately broken
 * de-identifiers on the same inputs. Seeded, so a failure replays.
 */
import { deidentify, verifyDeidentified, DEFAULT_PROFILE, BASIC_PROFILE } from '../../../layers/dicom';
import { readDicomFile, writeDicomFile, type DataSet, type DicomElement } from '../../../layers/dicom/dcmjs';
import { makeDicom } from '../../support/synthetic-dicom';
import { SECRET } from './helpers';
import { rng } from '../../support/random';

interface Planted {
  family: string;
  given: string;
  id: string;
  accession: string;
  institution: string;
  physician: string;
  date: string;
}

function generate(seed: number): { bytes: Uint8Array; planted: Planted } {
  const random = rng(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;
  const word = (min: number, max: number): string =>
    Array.from({ length: min + int(max - min + 1) }, () => 'BCDFGHJKLMNPQRSTVWXZ'[int(20)]).join('');
  const planted: Planted = {
    family: word(5, 9),
    given: word(4, 8),
    id: `${word(2, 3)}${100000 + int(900000)}`,
    accession: `A${10000000 + int(89999999)}`,
    institution: `${word(5, 8)} ${word(5, 8)} CLINIC`,
    physician: `${word(5, 8)}^${word(4, 6)}`,
    date: `${1990 + int(30)}${String(1 + int(12)).padStart(2, '0')}${String(1 + int(28)).padStart(2, '0')}`,
  };
  const identifying: Array<[string, () => DicomElement]> = [
    ['00100010', () => ({ vr: 'PN', Value: [{ Alphabetic: `${planted.family}^${planted.given}` }] })],
    ['00100020', () => ({ vr: 'LO', Value: [planted.id] })],
    ['00080050', () => ({ vr: 'SH', Value: [planted.accession] })],
    ['00080080', () => ({ vr: 'LO', Value: [planted.institution] })],
    ['00080090', () => ({ vr: 'PN', Value: [{ Alphabetic: planted.physician }] })],
    ['00081070', () => ({ vr: 'PN', Value: [{ Alphabetic: planted.physician }] })],
    ['00100030', () => ({ vr: 'DA', Value: [planted.date] })],
    ['00080020', () => ({ vr: 'DA', Value: [planted.date] })],
    ['00400244', () => ({ vr: 'DA', Value: [planted.date] })],
  ];
  // Free text that mentions the identifiers: kept (cleaned) by Clean Descriptors, removed by Basic.
  const freeText: Array<[string, () => DicomElement]> = [
    ['00081030', () => ({ vr: 'LO', Value: [`CT ${planted.family.toLowerCase()} ${planted.given} ${planted.date}`] })],
    ['0008103E', () => ({ vr: 'LO', Value: [`AXIAL ${planted.id} ${planted.accession}`] })],
    ['00204000', () => ({ vr: 'LT', Value: [`Read by ${planted.physician.replace('^', ' ')} at ${planted.institution}`] })],
    ['00181030', () => ({ vr: 'LO', Value: [`PROTOCOL FOR ${planted.family}`] })],
  ];
  // Places an identifier could hide that are neither table nor keep-list: unknown public tags and private elements.
  const hidden: Array<[string, () => DicomElement]> = [
    ['00540081', () => ({ vr: 'US', Value: [3] })],
    ['00211001', () => ({ vr: 'LO', Value: [planted.family] })],
    ['00191099', () => ({ vr: 'LO', Value: [planted.id] })],
  ];
  const sequences = ['00081140', '00400275', '00082218', '00101002', '0040A730', '00091010', '00081115'];

  const item = (depth: number): DataSet => {
    const out: DataSet = { '00080100': { vr: 'SH', Value: [`C${int(100)}`] } };
    for (let i = 0; i < 1 + int(4); i += 1) {
      const [key, make] = pick([...identifying, ...freeText, ...hidden]);
      out[key] = make();
    }
    if (depth < 4 && random() < 0.6) out[pick(sequences)] = { vr: 'SQ', Value: Array.from({ length: 1 + int(2) }, () => item(depth + 1)) };
    return out;
  };

  // The identifiers are always the data set's own (top level); copies of them go to random places below.
  const elements: DataSet = {};
  for (const [key, make] of identifying) if (key !== '00400244') elements[key] = make();
  for (const [key, make] of [...freeText, ...hidden]) if (random() < 0.5) elements[key] = make();
  for (let i = 0; i < 1 + int(3); i += 1)
    elements[pick(sequences)] = { vr: 'SQ', Value: Array.from({ length: 1 + int(3) }, () => item(1)) };
  return { bytes: makeDicom({ elements, modality: pick(['CT', 'MR', 'DX']) }), planted };
}

const SEEDS = Array.from({ length: 60 }, (_, i) => 1000 + i * 7919);

describe.each([
  ['default', DEFAULT_PROFILE],
  ['basic', BASIC_PROFILE],
])('fuzz under the %s profile', (_name, profile) => {
  it.each(SEEDS)('seed %i: the verifier finds nothing left', (seed) => {
    const { bytes, planted } = generate(seed);
    const out = deidentify(bytes, { ...SECRET, profile });
    const result = verifyDeidentified(bytes, out.bytes, profile);
    expect(result.failures).toEqual([]);
    // And independently of the verifier: the planted strings are gone, in any case.
    const text = Buffer.from(out.bytes).toString('latin1').toUpperCase();
    for (const value of [planted.family, planted.given, planted.id, planted.accession, planted.institution, planted.date]) {
      expect({ seed, value, found: text.includes(value) }).toEqual({ seed, value, found: false });
    }
  });
});

describe('the verifier catches broken de-identifiers on the same inputs', () => {
  /** What many home-grown scripts do: replace the patient's name and ID, nothing else. */
  function naive(bytes: Uint8Array): Uint8Array {
    const file = readDicomFile(bytes);
    file.dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: 'ANON' }] };
    file.dict['00100020'] = { vr: 'LO', Value: ['ANON'] };
    file.dict['00120062'] = { vr: 'CS', Value: ['YES'] };
    return writeDicomFile(file);
  }

  /** The real engine with one planted value put back somewhere nested: a single miss must fail. */
  function leaky(bytes: Uint8Array, planted: Planted): Uint8Array {
    const file = readDicomFile(deidentify(bytes, SECRET).bytes);
    file.dict['00082218'] = { vr: 'SQ', Value: [{ '00080104': { vr: 'LO', Value: [`region ${planted.given}`] } }] };
    return writeDicomFile(file);
  }

  it.each(SEEDS.slice(0, 20))('seed %i', (seed) => {
    const { bytes, planted } = generate(seed);
    expect(verifyDeidentified(bytes, naive(bytes)).passed).toBe(false);
    expect(verifyDeidentified(bytes, leaky(bytes, planted)).failures).toContainEqual({ check: 'no-phi-bytes', keyword: 'PatientName' });
  });
});
