/**
 * Issue 11, S2: a value written under another attribute's tag. Swapping the
 * 4-byte tag of PatientName with another top-level tag made the engine keep the
 * name as if it were the attribute its tag names, and the verifier (whose
 * search terms came from PatientName) missed it. Here every top-level tag of
 * several explicit-VR inputs is tried, and whether the name survives is decided
 * by a plain byte search of the output, independent of engine and verifier.
 */
import {
  deidentify,
  verifyDeidentified,
  verifySiteDeidentified,
  DicomParseError,
  DEFAULT_PROFILE,
  BASIC_PROFILE,
  type DeidProfile,
} from '../../../layers/dicom';
import { scanPart10, type ScannedElement } from '../../../layers/dicom/part10';
import { readDicomFile, writeDicomFile, type DataSet } from '../../../layers/dicom/dcmjs';
import { formatTag } from '../../../layers/dicom/tags';
import { makeDicom, SYNTHETIC_PHI } from '../../support/synthetic-dicom';
import { fixture, SECRET } from './helpers';

const PATIENT_NAME = 0x00100010;

/** The profile that keeps the most: every retain option on, so the most tags are kept verbatim. */
const KEEPS_MOST: DeidProfile = {
  ...DEFAULT_PROFILE,
  name: 'keeps-most',
  options: {
    retainPatientCharacteristics: true,
    retainLongitudinalModifiedDates: false,
    retainLongitudinalFullDates: true,
    cleanDescriptors: true,
    retainSafePrivate: true,
    retainDeviceIdentity: true,
    retainInstitutionIdentity: true,
  },
};
const PROFILES = [DEFAULT_PROFILE, BASIC_PROFILE, KEEPS_MOST];

const INPUTS: Record<string, () => Uint8Array> = {
  'ct/CT_small.dcm': () => fixture('ct/CT_small.dcm'),
  'transfer-syntax/MR_small_bigendian.dcm': () => fixture('transfer-syntax/MR_small_bigendian.dcm'),
  'charset/chrX1.dcm': () => fixture('charset/chrX1.dcm'),
  'synthetic CT': () => makeDicom({ privateBlock: false }),
};

interface Input {
  bytes: Uint8Array;
  little: boolean;
  top: ScannedElement[];
  nameParts: string[];
}

function load(bytes: Uint8Array): Input {
  const file = scanPart10(bytes);
  // The helpers below patch the file in place: the data set must be the file's own bytes (not deflated).
  expect(file.dataSet).toBe(file.bytes);
  const top = file.elements.filter((e) => e.depth === 0);
  const name = top.find((e) => e.tag === PATIENT_NAME) as ScannedElement;
  const value = Buffer.from(bytes.subarray(name.valueStart, name.valueEnd))
    .toString('utf8')
    .replace(/[\0 ]+$/, '');
  const nameParts = value
    .split(/[=^]/)
    .map((p) => p.trim())
    .filter((p) => Buffer.byteLength(p) >= 3);
  return { bytes, little: file.littleEndian, top, nameParts };
}

function writeTag(out: Uint8Array, at: number, tag: number, little: boolean): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint16(at, tag >>> 16, little);
  view.setUint16(at + 2, tag & 0xffff, little);
}

/** The two elements exchange tags, each keeping its VR and value: the name is written under `other`, `other`'s value under PatientName. */
function swapWithName(input: Input, other: ScannedElement): Uint8Array {
  const out = new Uint8Array(input.bytes);
  const name = input.top.find((e) => e.tag === PATIENT_NAME) as ScannedElement;
  writeTag(out, name.headerStart, other.tag, input.little);
  writeTag(out, other.headerStart, PATIENT_NAME, input.little);
  return out;
}

/** The `from` element is written under `other`'s tag (its VR unchanged) and `other`'s own element is dropped. */
function moveTo(input: Input, from: number, other: ScannedElement): Uint8Array {
  const moved = input.top.find((e) => e.tag === from) as ScannedElement;
  const out = new Uint8Array(input.bytes);
  writeTag(out, moved.headerStart, other.tag, input.little);
  return Buffer.concat([out.subarray(0, other.headerStart), out.subarray(other.valueEnd)]);
}

/** PatientName moved under `other`: no PatientName is left. */
const moveNameTo = (input: Input, other: ScannedElement): Uint8Array => moveTo(input, PATIENT_NAME, other);

/** Explicit VR Little Endian only: the `from` element's value re-encoded as (tag, UN), replacing the element that had `tag`, or added. */
function asUnknown(input: Input, from: number, tag: number): Uint8Array {
  expect(input.little).toBe(true);
  const moved = input.top.find((e) => e.tag === from) as ScannedElement;
  const header = Buffer.alloc(12);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  header.write('UN', 4, 'latin1');
  header.writeUInt32LE(moved.valueEnd - moved.valueStart, 8);
  const element = Buffer.concat([header, input.bytes.subarray(moved.valueStart, moved.valueEnd)]);
  const replaced = input.top.find((e) => e.tag === tag);
  const pieces = replaced
    ? [input.bytes.subarray(0, replaced.headerStart), element, input.bytes.subarray(replaced.valueEnd)]
    : [input.bytes, element];
  const out = Buffer.concat(pieces);
  const shift = replaced ? element.byteLength - (replaced.valueEnd - replaced.headerStart) : 0;
  const start = moved.headerStart + (replaced && moved.headerStart > replaced.headerStart ? shift : 0);
  return Buffer.concat([out.subarray(0, start), out.subarray(start + (moved.valueEnd - moved.headerStart))]);
}

/** Read-modify-write of an output with dcmjs, to plant what an engine with the old behaviour would have left. */
function tamper(bytes: Uint8Array, edit: (dict: DataSet) => void): Uint8Array {
  const file = readDicomFile(bytes);
  edit(file.dict);
  return writeDicomFile(file);
}

function carriesName(output: Uint8Array, parts: readonly string[]): string[] {
  const bytes = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  return parts.filter((p) => bytes.includes(Buffer.from(p, 'utf8')) || bytes.includes(Buffer.from(p, 'latin1')));
}

type Outcome = { kind: 'refused'; error: string } | { kind: 'published'; passed: boolean; failures: string[]; leaked: string[] };

function run(variant: Uint8Array, parts: readonly string[], profile: DeidProfile): Outcome {
  let output: Uint8Array;
  try {
    output = deidentify(variant, { ...SECRET, profile }).bytes;
  } catch (error) {
    if (!(error instanceof DicomParseError)) throw error;
    // A refusal names its error and quotes no value.
    expect(carriesName(Buffer.from(error.message), parts)).toEqual([]);
    return { kind: 'refused', error: error.name };
  }
  const result = verifyDeidentified(variant, output, profile);
  return {
    kind: 'published',
    passed: result.passed,
    failures: result.failures.map((f) => `${f.check}:${f.keyword ?? ''}`),
    leaked: carriesName(output, parts),
  };
}

describe.each(Object.keys(INPUTS))('PatientName under another top-level tag of %s', (label) => {
  const input = load((INPUTS[label] as () => Uint8Array)());
  const others = input.top.filter((e) => e.tag !== PATIENT_NAME);

  it("has a name to look for, absent from the unmodified input's outputs", () => {
    expect(input.nameParts.length).toBeGreaterThan(0);
    for (const profile of PROFILES) expect(carriesName(deidentify(input.bytes, { ...SECRET, profile }).bytes, input.nameParts)).toEqual([]);
  });

  it.each(PROFILES.map((p) => [p.name, p] as const))(
    'swapped with each tag (%s): no output carries the name; each is refused or passes the verifier',
    (_name, profile) => {
      const bad: string[] = [];
      for (const other of others) {
        const outcome = run(swapWithName(input, other), input.nameParts, profile);
        if (outcome.kind === 'published' && (outcome.leaked.length > 0 || !outcome.passed)) {
          bad.push(
            `${formatTag(other.key)} ${other.vr}: leaked [${outcome.leaked.join(' ')}], verifier ${outcome.passed ? 'passed' : outcome.failures.join(' ')}`,
          );
        }
      }
      expect(bad).toEqual([]);
    },
  );

  it.each(PROFILES.map((p) => [p.name, p] as const))(
    'moved to each tag, PatientName gone (%s): no output carries the name; each is refused or passes the verifier',
    (_name, profile) => {
      const bad: string[] = [];
      for (const other of others) {
        const outcome = run(moveNameTo(input, other), input.nameParts, profile);
        if (outcome.kind === 'published' && (outcome.leaked.length > 0 || !outcome.passed)) {
          bad.push(
            `${formatTag(other.key)} ${other.vr}: leaked [${outcome.leaked.join(' ')}], verifier ${outcome.passed ? 'passed' : outcome.failures.join(' ')}`,
          );
        }
      }
      expect(bad).toEqual([]);
    },
  );
});

describe('a name under a mismatched VR inside nested sequence items', () => {
  const name = SYNTHETIC_PHI.patientName;
  const code = (meaning: unknown): Record<string, unknown> => ({
    '00080100': { vr: 'SH', Value: ['113076'] },
    '00080102': { vr: 'SH', Value: ['DCM'] },
    '00080104': meaning,
  });
  // DerivationCodeSequence and PurposeOfReferenceCodeSequence are kept and cleaned item by item; CodeMeaning is LO.
  const input = makeDicom({
    privateBlock: false,
    patient: { name: 'ROE^RICHARD' },
    elements: {
      '00089215': {
        vr: 'SQ',
        Value: [
          {
            ...code({ vr: 'PN', Value: [{ Alphabetic: name }] }),
            '0040A170': { vr: 'SQ', Value: [code({ vr: 'PN', Value: [{ Alphabetic: name }] })] },
          },
        ],
      },
    } as never,
  });
  const parts = name.split('^');

  it('the generated input holds the name only as PN under CodeMeaning, at depth 1 and 2', () => {
    const file = scanPart10(input);
    const meanings = file.elements.filter((e) => e.tag === 0x00080104);
    expect(meanings.map((e) => [e.depth, e.vr])).toEqual([
      [1, 'PN'],
      [2, 'PN'],
    ]);
    expect(carriesName(input, parts)).toEqual(parts);
  });

  it.each(PROFILES.map((p) => [p.name, p] as const))('no output carries it and the verifier passes (%s)', (_name, profile) => {
    const outcome = run(input, parts, profile);
    expect(outcome).toEqual({ kind: 'published', passed: true, failures: [], leaked: [] });
  });
});

describe("UN (the sender did not know the attribute) is read by the dictionary's VR", () => {
  const input = load(fixture('ct/CT_small.dcm'));

  it('a name sent as (0010,1010) UN is no valid age: emptied where ages are kept, removed where they are not', () => {
    const variant = asUnknown(input, PATIENT_NAME, 0x00101010);
    const element = scanPart10(variant).elements.find((e) => e.depth === 0 && e.tag === 0x00101010);
    expect(element?.vr).toBe('UN');
    for (const profile of PROFILES) {
      const output = deidentify(variant, { ...SECRET, profile });
      expect({ profile: profile.name, leaked: carriesName(output.bytes, input.nameParts) }).toEqual({ profile: profile.name, leaked: [] });
      expect(verifyDeidentified(variant, output.bytes, profile)).toMatchObject({ passed: true });
    }
    expect(deidentify(variant, { ...SECRET, profile: DEFAULT_PROFILE }).actionCounts['PatientAge:Z']).toBe(1);
  });

  it('a kept sequence sent as UN whose bytes do not walk as items is removed, not copied', () => {
    // AnatomicRegionSequence (kept) as an opaque UN holding the name: the scanner cannot walk it as a sequence.
    const variant = asUnknown(input, PATIENT_NAME, 0x00082218);
    const element = scanPart10(variant).elements.find((e) => e.depth === 0 && e.tag === 0x00082218);
    expect(element).toMatchObject({ vr: 'UN' });
    expect(element?.itemCount).toBeUndefined();
    for (const profile of PROFILES) {
      expect({ profile: profile.name, leaked: carriesName(deidentify(variant, { ...SECRET, profile }).bytes, input.nameParts) }).toEqual({
        profile: profile.name,
        leaked: [],
      });
    }
  });
});

describe('the verifier on its own: needles from the values as found, by VR as well as by tag', () => {
  const input = load(fixture('ct/CT_small.dcm'));
  const at = (tag: number): ScannedElement => input.top.find((e) => e.tag === tag) as ScannedElement;
  const name = input.nameParts.join('^');

  it('finds a name moved under StudyDescription (PN) in any output element, though no PatientName is left to take it from', () => {
    const original = moveNameTo(input, at(0x00081030));
    const planted = tamper(deidentify(original, SECRET).bytes, (d) => {
      d['00204000'] = { vr: 'LT', Value: [`reviewed ${name}`] };
    });
    // The free-text check (issue 18) finds it in the cleaned ImageComments too.
    expect(verifyDeidentified(original, planted).failures).toEqual([
      { check: 'no-phi-bytes', keyword: 'PersonName' },
      { check: 'no-identifier-in-text', keyword: 'name' },
    ]);
  });

  it("does not excuse a name found in Manufacturer when the original's Manufacturer was that name as PN", () => {
    const original = moveNameTo(input, at(0x00080070));
    const planted = tamper(deidentify(original, SECRET).bytes, (d) => {
      d['00080070'] = { vr: 'LO', Value: [name] };
    });
    expect(verifyDeidentified(original, planted).failures).toEqual([{ check: 'no-phi-bytes', keyword: 'PersonName' }]);
  });

  it('searches a value of another VR moved under a tag (PatientID as LO under PatientAge) whole', () => {
    const original = moveTo(input, 0x00100020, at(0x00101010));
    const id = Buffer.from(input.bytes.subarray(at(0x00100020).valueStart, at(0x00100020).valueEnd))
      .toString('latin1')
      .trim();
    expect(id.length).toBeGreaterThanOrEqual(4);
    const planted = tamper(deidentify(original, SECRET).bytes, (d) => {
      d['00204000'] = { vr: 'LT', Value: [`id ${id}`] };
    });
    expect(verifyDeidentified(original, planted).failures).toEqual([{ check: 'no-phi-bytes', keyword: 'MisplacedValue' }]);
  });

  it('fails an output that keeps an element whose VR the dictionary does not allow, at top level or nested', () => {
    const output = deidentify(input.bytes, SECRET).bytes;
    const planted = tamper(output, (d) => {
      d['00101010'] = { vr: 'PN', Value: [{ Alphabetic: 'NOBODY' }] };
      d['00082218'] = { vr: 'SQ', Value: [{ '00080104': { vr: 'PN', Value: [{ Alphabetic: 'NOBODY' }] } }] };
    });
    expect(verifyDeidentified(input.bytes, planted).failures).toEqual(
      expect.arrayContaining([
        { check: 'vr-matches-dictionary', keyword: '(0010,1010)' },
        { check: 'vr-matches-dictionary', keyword: '(0008,0104)' },
      ]),
    );
    expect(verifyDeidentified(input.bytes, output).passed).toBe(true);
  });
});

describe('site-de-identified files (no original to compare with)', () => {
  it('fail when an element carries a VR the dictionary does not allow for its tag (a name as Manufacturer PN)', () => {
    const output = deidentify(makeDicom(), { ...SECRET, profile: DEFAULT_PROFILE }).bytes;
    expect(verifySiteDeidentified(output, DEFAULT_PROFILE).passed).toBe(true);
    const planted = tamper(output, (d) => {
      d['00080070'] = { vr: 'PN', Value: [{ Alphabetic: SYNTHETIC_PHI.patientName }] };
    });
    expect(verifySiteDeidentified(planted, DEFAULT_PROFILE).failures).toEqual([{ check: 'vr-matches-dictionary', keyword: '(0008,0070)' }]);
  });
});
