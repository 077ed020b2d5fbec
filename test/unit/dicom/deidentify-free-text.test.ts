/**
 * Issue 18, free text: identifiers in other forms, planted in every place they
 * occur in real files (top level, a nested sequence, an SR content item, a PN
 * value's ideographic and phonetic groups, overlay comments and labels, private
 * text kept by Retain Safe Private), in three character sets (ISO_IR 100,
 * ISO_IR 192, ISO 2022 IR 87). The whole engine runs, its output is parsed
 * again and every text value at any depth is decoded and searched: none
 * survives, what research needs does, and the verifier fails an output where
 * one was put back on purpose.
 */
import { deidentify, DEFAULT_PROFILE, verifyDeidentified, type DeidProfile } from '../../../layers/dicom';
import { readDicomFile, writeDicomFile, type DataSet } from '../../../layers/dicom/dcmjs';
import { scanPart10, type ScannedFile } from '../../../layers/dicom/part10';
import { TAG } from '../../../layers/dicom/tags';
import { decodeIso2022Jp, encodeIso2022Jp, namesIso2022Jp } from '../../../layers/dicom/text/iso2022-jp';
import { readText, textEncoding, topLevel } from '../../../layers/dicom/values';
import { implicitVrFile } from '../../support/hostile-dicom';
import { makeDicom, SYNTHETIC_PHI } from '../../support/synthetic-dicom';
import { SECRET } from './helpers';

const SAFE_PRIVATE: DeidProfile = {
  ...DEFAULT_PROFILE,
  name: 'midrc-safe-private',
  options: { ...DEFAULT_PROFILE.options, retainSafePrivate: true },
};

/** Every text value of a file at any depth (Pixel Data aside), decoded in its character set and lowercased. */
function allText(bytes: Uint8Array): string[] {
  const file: ScannedFile = scanPart10(bytes);
  const charset = topLevel(file).get(TAG.SpecificCharacterSet);
  const jis = charset !== undefined && namesIso2022Jp(readText(file, charset));
  const encoding = textEncoding(file);
  return file.elements
    .filter((e) => e.key !== TAG.PixelData && e.itemCount === undefined)
    .map((e) => (jis ? decodeIso2022Jp(file.dataSet, e.valueStart, e.valueEnd) : readText(file, e, encoding)).toLowerCase());
}

function survivors(bytes: Uint8Array, needles: readonly string[]): string[] {
  const texts = allText(bytes);
  return needles.filter((n) => texts.some((t) => t.includes(n.toLowerCase())));
}

/** One class of identifier: how it is written in the text, and what of it must not survive. */
interface PlantedClass {
  kind: string;
  written: string;
  mustGo: string[];
}

// SYNTHETIC_PHI.studyDate is 20240315; the patient is DOE^JANE^QUINN.
const CLASSES: readonly PlantedClass[] = [
  { kind: 'name, given first', written: 'Jane Doe', mustGo: ['jane doe', 'doe'] },
  { kind: 'name, initial and surname', written: 'J. Doe', mustGo: ['j. doe', 'doe'] },
  { kind: 'name, surname and initial', written: 'Doe, J.', mustGo: ['doe, j', 'doe'] },
  { kind: 'name, other case', written: 'dOe JaNe', mustGo: ['doe', 'jane'] },
  { kind: 'date, ISO', written: '2024-03-15', mustGo: ['2024-03-15'] },
  { kind: 'date, day first', written: '15/03/2024', mustGo: ['15/03/2024'] },
  { kind: 'date, month first', written: '03/15/2024', mustGo: ['03/15/2024'] },
  { kind: 'date, ambiguous', written: '04.03.2024', mustGo: ['04.03.2024'] },
  { kind: 'date, words', written: '15th of March 2024', mustGo: ['15th', 'march 2024'] },
  { kind: 'date, month first in words', written: 'March 15, 2024', mustGo: ['march 15', 'march'] },
  { kind: 'time', written: '10:32 am', mustGo: ['10:32'] },
  { kind: 'phone', written: '(555) 123-4567', mustGo: ['(555)', '123-4567'] },
  { kind: 'e-mail', written: 'jane.doe@example.org', mustGo: ['@', 'example.org'] },
  { kind: 'MRN-like number', written: 'MRN 7654321', mustGo: ['7654321'] },
  { kind: 'accession-like number', written: 'ACC E98765', mustGo: ['e98765'] },
  { kind: 'street address', written: '221B Baker Street', mustGo: ['baker', '221b'] },
];

const RESEARCH = 'CHEST PA 5 mm T2 L5-S1';

/** Places a text occurs in real files, each holding `text`. */
function places(text: string): DataSet {
  return {
    '00081030': { vr: 'LO', Value: [`${RESEARCH} ${text}`] }, // StudyDescription, top level
    '00400275': { vr: 'SQ', Value: [{ '00321060': { vr: 'LO', Value: [`${RESEARCH} ${text}`] } }] }, // RequestAttributesSequence > RequestedProcedureDescription
    '0040A730': { vr: 'SQ', Value: [{ '0040A040': { vr: 'CS', Value: ['TEXT'] }, '0040A160': { vr: 'UT', Value: [text] } }] }, // SR ContentSequence > TextValue
    '60000022': { vr: 'LO', Value: [text] }, // OverlayDescription
    '60001500': { vr: 'LO', Value: [text] }, // OverlayLabel
    '60004000': { vr: 'LT', Value: [text] }, // OverlayComments
    '00190010': { vr: 'LO', Value: ['GEMS_ACQU_01'] }, // a safe private creator ...
    '0019109E': { vr: 'LO', Value: [`${RESEARCH} ${text}`] }, // ... and its (0019,xx9E), kept by Retain Safe Private
  };
}

describe.each([
  ['the default profile', DEFAULT_PROFILE],
  ['Retain Safe Private', SAFE_PRIVATE],
])('free text under %s', (_name, profile) => {
  it.each(CLASSES.map((c) => [c.kind, c] as const))(
    '%s: none survives anywhere, research words do, and the output verifies',
    (_kind, c) => {
      const original = makeDicom({ privateBlock: false, elements: places(c.written) });
      const out = deidentify(original, { ...SECRET, profile });
      expect(survivors(out.bytes, c.mustGo)).toEqual([]);
      expect(allText(out.bytes).filter((t) => t.startsWith(RESEARCH.toLowerCase()))).not.toEqual([]);
      expect(verifyDeidentified(original, out.bytes, profile)).toMatchObject({ passed: true });
    },
  );

  it('keeps research words where the text is cleaned (top level, nested and safe private)', () => {
    const original = makeDicom({ privateBlock: false, elements: places('for Jane Doe') });
    const out = readDicomFile(deidentify(original, { ...SECRET, profile }).bytes).dict;
    expect(out['00081030']?.Value).toEqual([`${RESEARCH} for`]);
    const item = (out['00400275']?.Value?.[0] ?? {}) as DataSet;
    expect(item['00321060']?.Value).toEqual([`${RESEARCH} for`]);
    if (profile.options.retainSafePrivate) expect(out['0019109E']?.Value).toEqual([`${RESEARCH} for`]);
    else expect(out['0019109E']).toBeUndefined();
  });
});

describe('the verifier fails an output where an identifier in another form was left on purpose', () => {
  const original = makeDicom({ privateBlock: false, elements: places('') });
  const clean = deidentify(original, { ...SECRET, profile: SAFE_PRIVATE }).bytes;
  const put = (tag: string, text: string): Uint8Array => {
    const file = readDicomFile(clean);
    file.dict[tag] = { vr: 'LO', Value: [text] };
    return writeDicomFile(file);
  };

  it('passes the untouched output', () => {
    expect(verifyDeidentified(original, clean, SAFE_PRIVATE).passed).toBe(true);
  });

  it.each([
    ['name', 'Jane Doe'],
    ['name', 'J. Doe'],
    ['date', '15th of March 2024'],
    ['date', '04.03.2024'],
    ['time', '10:32'],
    ['phone', '(555) 123-4567'],
    ['email', 'jane.doe@example.org'],
    ['id', 'MRN 7654321'],
    ['address', '221B Baker Street'],
  ])('%s (%s) in a cleaned description and in safe private text', (kind, text) => {
    for (const tag of ['00081030', '0019109E']) {
      const result = verifyDeidentified(original, put(tag, `${RESEARCH} ${text}`), SAFE_PRIVATE);
      expect(result.passed).toBe(false);
      expect(result.failures).toContainEqual({ check: 'no-identifier-in-text', keyword: kind });
    }
  });

  it('finds one left in a nested sequence item (RequestAttributesSequence > RequestedProcedureDescription)', () => {
    const file = readDicomFile(clean);
    file.dict['00400275'] = { vr: 'SQ', Value: [{ '00321060': { vr: 'LO', Value: [`${RESEARCH} call (555) 123-4567`] } }] };
    const result = verifyDeidentified(original, writeDicomFile(file), SAFE_PRIVATE);
    expect(result.failures).toContainEqual({ check: 'no-identifier-in-text', keyword: 'phone' });
  });

  it('accepts a date the cleaner shifted, and fails the same date unshifted', () => {
    const shiftedOut = deidentify(makeDicom({ privateBlock: false, elements: places('on 2024-03-15') }), {
      ...SECRET,
      profile: SAFE_PRIVATE,
    });
    const description = readDicomFile(shiftedOut.bytes).dict['00081030']?.Value?.[0] as string;
    expect(description).toMatch(/^CHEST PA 5 mm T2 L5-S1 on \d{4}-\d{2}-\d{2}$/);
    expect(description).not.toContain('2024-03-15');
    expect(shiftedOut.actionCounts['dateInText:shift']).toBeGreaterThanOrEqual(2);
    const result = verifyDeidentified(original, put('00081030', `${RESEARCH} on 2024-03-15`), SAFE_PRIVATE);
    expect(result.failures).toContainEqual({ check: 'no-identifier-in-text', keyword: 'date' });
  });
});

/** A Latin-1 (or raw-byte) string: each character one byte, as implicitVrFile writes it. */
const bytesAsLatin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const jis = (text: string): string => bytesAsLatin1(encodeIso2022Jp(text) as Uint8Array);

function charsetFile(charset: string, patientName: string, description: string): Uint8Array {
  return implicitVrFile({
    '00080005': charset,
    '00080016': '1.2.840.10008.5.1.4.1.1.7',
    '00080018': '1.2.826.0.1.3680043.8.498.7711.18.1',
    '00080020': SYNTHETIC_PHI.studyDate,
    '00080060': 'OT',
    '00081030': description,
    '00100010': patientName,
    '00100020': 'MRN-18-CHARSET',
    '0020000D': '1.2.826.0.1.3680043.8.498.7711.18.2',
    '0020000E': '1.2.826.0.1.3680043.8.498.7711.18.3',
  });
}

describe('names in every character set and PN component group', () => {
  it('ISO_IR 100 (Latin-1): "Müller^José" written in capitals, without accents and German style', () => {
    const original = charsetFile('ISO_IR 100', 'Müller^José', 'CT for JOSÉ MÜLLER, J. Muller and Mueller');
    const out = deidentify(original, SECRET);
    const description = readText(scanPart10(out.bytes), topLevel(scanPart10(out.bytes)).get('00081030')!, 'latin1');
    expect(description).toBe('CT for, and');
    expect(verifyDeidentified(original, out.bytes).passed).toBe(true);
    // "MÜLLER" put back in capitals: the byte search lowercases ASCII only, so it takes the decoded text to see it.
    const tampered = Buffer.from(out.bytes);
    const at = tampered.indexOf(Buffer.from('CT for, and', 'latin1'));
    expect(at).toBeGreaterThan(0);
    Buffer.from('MÜLLER, and', 'latin1').copy(tampered, at);
    const result = verifyDeidentified(original, tampered);
    expect(result.failures).toContainEqual({ check: 'no-identifier-in-text', keyword: 'name' });
  });

  it('ISO_IR 192 (UTF-8): Cyrillic, Greek and Chinese names, in capitals and inside unspaced text', () => {
    for (const [name, text, gone] of [
      ['Иванов^Пётр', 'КТ ИВАНОВ ПЁТР грудь', ['иванов', 'пётр']],
      ['Παπαδόπουλος^Νίκος', 'CT ΠΑΠΑΔΌΠΟΥΛΟΣ Νίκος', ['παπαδόπουλος', 'νίκος']],
      ['Wang^XiaoDong=王^小東=', 'CT 王小東先生 XIAODONG WANG', ['王', '小東', 'wang', 'xiaodong']],
    ] as const) {
      const original = charsetFile(
        'ISO_IR 192',
        Buffer.from(name, 'utf8').toString('latin1'),
        Buffer.from(text, 'utf8').toString('latin1'),
      );
      const out = deidentify(original, SECRET);
      expect(survivors(out.bytes, gone)).toEqual([]);
      expect(verifyDeidentified(original, out.bytes).passed).toBe(true);
    }
  });

  it('ISO 2022 IR 87 (Japanese): the alphabetic, ideographic and phonetic groups, found in a description written in kanji and kana', () => {
    const name = `Yamada^Tarou=${jis('山田^太郎')}=${jis('やまだ^たろう')}`;
    const original = charsetFile('\\ISO 2022 IR 87', name, jis('CT 頭部 山田太郎様 やまだ たろう YAMADA'));
    const out = deidentify(original, SECRET);
    expect(survivors(out.bytes, ['山田', '太郎', 'やまだ', 'たろう', 'yamada'])).toEqual([]);
    // What is left is still ISO-2022-JP and still says what the study is.
    expect(allText(out.bytes)).toContain('ct 頭部 様');
    expect(verifyDeidentified(original, out.bytes).passed).toBe(true);
  });

  it('ISO 2022 IR 87: the verifier decodes the text and fails a kanji name left in it', () => {
    const name = `Yamada^Tarou=${jis('山田^太郎')}=${jis('やまだ^たろう')}`;
    const original = charsetFile('\\ISO 2022 IR 87', name, jis('CT 頭部'));
    const out = deidentify(original, SECRET).bytes;
    const tampered = Buffer.from(out);
    // Same length: "CT 頭部" becomes "CT 山田" in place (both two JIS X 0208 characters).
    const from = Buffer.from(jis('頭部'), 'latin1');
    const to = Buffer.from(jis('山田'), 'latin1');
    const at = tampered.indexOf(from);
    expect(at).toBeGreaterThan(0);
    to.copy(tampered, at);
    const result = verifyDeidentified(original, tampered);
    expect(result.failures).toContainEqual({ check: 'no-identifier-in-text', keyword: 'name' });
  });
});
