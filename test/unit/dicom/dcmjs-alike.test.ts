/**
 * headerStringsAsDcmjs: the walker's reading of a few top-level CS/UI attributes is dcmjs's own (readDicomHeader's
 * `Value` strings) on every file it answers for, and it answers for none where the two readers could place elements
 * differently. The burned-in text check decides "not at risk" on it without dcmjs (layers/ingest/burned-in/detect.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { headerStringsAsDcmjs } from '../../../layers/dicom/dcmjs-alike';
import { readDicomHeader } from '../../../layers/dicom/dcmjs';
import { makeDicom } from '../../support/synthetic-dicom';

const ASKED = { '00080016': 'UI', '00080060': 'CS', '00080008': 'CS' } as const;

/** dcmjs's answer: the asked attributes' string values from its header read, or that it threw. */
function dcmjsStrings(bytes: Uint8Array): unknown {
  try {
    const dict = readDicomHeader(bytes).dict as Record<string, { Value?: unknown[] } | undefined>;
    return Object.keys(ASKED).map((tag) => (dict[tag]?.Value ?? []).filter((v) => typeof v === 'string'));
  } catch {
    return 'threw';
  }
}

function alike(bytes: Uint8Array): unknown {
  const values = headerStringsAsDcmjs(bytes, ASKED);
  return values && Object.keys(ASKED).map((tag) => values.get(tag));
}

function fixtures(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? fixtures(path) : name.endsWith('.dcm') ? [path] : [];
  });
}

// A Part 10 file written byte by byte (Explicit VR Little Endian unless told), for headers dcmjs would not write.
type RawElement = readonly [
  tag: number,
  vr: string,
  value: Uint8Array | string,
  options?: { readonly undefinedLength?: boolean; readonly reserved?: number },
];
const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

function element([tag, vr, value, options]: RawElement, implicit = false): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
  const head = Buffer.alloc(implicit ? 8 : LONG.has(vr) ? 12 : 8);
  const length = options?.undefinedLength ? 0xffffffff : bytes.length;
  head.writeUInt16LE(Math.floor(tag / 0x10000), 0);
  head.writeUInt16LE(tag % 0x10000, 2);
  if (implicit) head.writeUInt32LE(length, 4);
  else {
    head.write(vr, 4, 'latin1');
    if (head.length === 12) {
      head.writeUInt16LE(options?.reserved ?? 0, 6);
      head.writeUInt32LE(length, 8);
    } else head.writeUInt16LE(bytes.length, 6);
  }
  return Buffer.concat([head, bytes]);
}

function part10(elements: readonly RawElement[], { transferSyntax = '1.2.840.10008.1.2.1\0', groupLengthDelta = 0 } = {}): Uint8Array {
  const implicit = transferSyntax.replace(/\0$/, '') === '1.2.840.10008.1.2';
  const metaBody = Buffer.concat([element([0x00020010, 'UI', transferSyntax])]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(metaBody.length + groupLengthDelta);
  const meta = Buffer.concat([element([0x00020000, 'UL', groupLength]), metaBody]);
  const dataSet = Buffer.concat(elements.map((e) => element(e, implicit)));
  return new Uint8Array(Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), meta, dataSet]));
}

const CT_CLASS = '1.2.840.10008.5.1.4.1.1.2\0';
const plainCt: RawElement[] = [
  [0x00080008, 'CS', 'ORIGINAL\\PRIMARY\\AXIAL '],
  [0x00080016, 'UI', CT_CLASS],
  [0x00080060, 'CS', 'CT'],
  [0x7fe00010, 'OW', new Uint8Array(8)],
];
/**
 * An element of a VR code dcmjs does not know: the walker takes its 2-byte length (14), dcmjs reads it as UN, with a
 * 4-byte length after two reserved bytes (0), and then reads the walker's value, a Modality DX, as an element.
 */
const unknownVr: RawElement = [0x00091001, 'XX', Buffer.concat([Buffer.alloc(4), element([0x00080060, 'CS', 'DX'])])];
/** A US of length 2 at (0018,1150), two bytes of whatever the test puts there. */
const us = (value: Uint8Array): RawElement => [0x00181150, 'US', value];

describe('headerStringsAsDcmjs', () => {
  const dir = join(__dirname, '../../fixtures/dicom');
  it.each(fixtures(dir).map((path) => [path.slice(dir.length + 1), path]))('answers %s as dcmjs does, when it answers', (_name, path) => {
    const bytes = new Uint8Array(readFileSync(path));
    const answer = alike(bytes);
    const dcmjs = dcmjsStrings(bytes);
    // A file dcmjs cannot read is not at risk for the check either way; the walker must not vouch for other values.
    if (answer !== undefined && dcmjs !== 'threw') expect(answer).toEqual(dcmjs);
  });

  it.each([
    ['a CT slice', () => makeDicom({ rows: 64, columns: 64 })],
    ['a radiograph', () => makeDicom({ modality: 'DX', rows: 64, columns: 64 })],
    ['a secondary capture', () => makeDicom({ modality: 'OT', rows: 16, columns: 16 })],
    ['a hand-written CT header', () => part10(plainCt)],
    [
      'values with spaces, empty values and junk in the UID',
      () =>
        part10([
          [0x00080008, 'CS', ' DERIVED \\\\SECONDARY'],
          [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7 x\\1.2\0'],
          [0x00080060, 'CS', ''],
        ]),
    ],
    [
      'bytes above 0x7F in a code string',
      () =>
        part10([
          [0x00080060, 'CS', 'd\xe9x '],
          [0x00080016, 'UI', 'a\xff1.2'],
        ]),
    ],
    [
      'a file without the attributes',
      () =>
        part10([
          [0x00100010, 'PN', 'DOE^JANE'],
          [0x7fe00010, 'OW', new Uint8Array(4)],
        ]),
    ],
    [
      'an attribute after Pixel Data, which dcmjs never reads',
      () =>
        part10([
          [0x00080016, 'UI', CT_CLASS],
          [0x7fe00010, 'OW', new Uint8Array(4)],
          [0x00080060, 'CS', 'DX'],
        ]),
    ],
    ['an Implicit VR Little Endian file', () => part10(plainCt, { transferSyntax: '1.2.840.10008.1.2\0' })],
    [
      'a private element of no dictionary, Implicit VR',
      () => part10([[0x00091001, '', 'abcd'], ...plainCt], { transferSyntax: '1.2.840.10008.1.2\0' }),
    ],
    ['an explicit UN of defined length', () => part10([[0x00080005, 'UN', 'ISO_IR 100'], ...plainCt])],
  ])('answers for %s, as dcmjs reads it', (_name, make) => {
    const bytes = make();
    expect(alike(bytes)).toBeDefined();
    expect(alike(bytes)).toEqual(dcmjsStrings(bytes));
  });

  it('reads the three values of a CT slice as the burned-in check needs them', () => {
    expect(alike(part10(plainCt))).toEqual([['1.2.840.10008.5.1.4.1.1.2'], ['CT'], ['ORIGINAL', 'PRIMARY', 'AXIAL']]);
  });

  it.each([
    // dcmjs reads OL, OV and SV with a 2-byte length: it would find a Modality inside the OL's value.
    ['a VR code dcmjs does not know (it reads UN: a 4-byte length)', () => part10([unknownVr, ...plainCt])],
    // dcmjs reads these as UN too, with the same 4-byte length; left to dcmjs all the same (no file seen carries them).
    ['an OL before the attributes', () => part10([[0x00720075, 'OL', 'abcd'], ...plainCt])],
    ['a US whose length is not whole values (dcmjs reads past it)', () => part10([us(new Uint8Array(3)), ...plainCt])],
    ['a File Meta group length that ends elsewhere', () => part10(plainCt, { groupLengthDelta: 2 })],
    ['a transfer syntax dcmjs cleans into another', () => part10(plainCt, { transferSyntax: '1.2.840.10008.1.2x' })],
    [
      'an attribute twice (dcmjs keeps the last)',
      () => part10([[0x00080060, 'CS', 'CT'], [0x00080060, 'CS', 'DX'], ...plainCt.slice(0, 2)]),
    ],
    [
      'an attribute with another VR (dcmjs decodes LO with the character set)',
      () => part10([[0x00080060, 'LO', 'CT'], ...plainCt.slice(0, 2)]),
    ],
    // The walker walks it as an Implicit VR sequence (CP-246); dcmjs reads UN values its own way.
    [
      'an undefined-length UN',
      () => part10([[0x00091010, 'UN', new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]), { undefinedLength: true }], ...plainCt]),
    ],
    ['a file the walker cannot read', () => part10(plainCt).subarray(0, 200)],
  ])('does not answer for %s', (_name, make) => {
    expect(alike(make())).toBeUndefined();
  });
});

describe('why the walker does not answer for those files', () => {
  it('dcmjs reads another Modality than the walker behind an unknown VR code, and past a short US', () => {
    const file = part10([unknownVr, ...plainCt.slice(0, 2)]);
    expect(alike(file)).toBeUndefined();
    expect(dcmjsStrings(file)).toEqual([['1.2.840.10008.5.1.4.1.1.2'], ['DX'], ['ORIGINAL', 'PRIMARY', 'AXIAL']]);
    const pastShortUs = part10([us(new Uint8Array(3)), [0x00181151, 'CS', 'XDX'], ...plainCt]);
    expect(dcmjsStrings(pastShortUs)).not.toEqual([['1.2.840.10008.5.1.4.1.1.2'], ['CT'], ['ORIGINAL', 'PRIMARY', 'AXIAL']]);
  });
});
