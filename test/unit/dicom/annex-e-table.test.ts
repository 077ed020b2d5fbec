/**
 * Generated from the Annex E table itself: for every row naming a concrete tag,
 * a data set carrying that attribute (at top level, and inside a kept
 * sequence's item) comes out with the action the profile requires. Run for the
 * default (MIDRC) profile and for the Basic Profile alone.
 *
 * The expectation is computed here from the table row and the profile, as the
 * standard words it, with hilum's documented choices for what the standard
 * leaves to the IOD: combined codes offering X remove, Z/D empties, X/Z/U*
 * keeps the sequence and cleans it; D on a sequence leaves it with no item.
 */
import { deidentify, remapUid, BASIC_PROFILE, DEFAULT_PROFILE, type DeidProfile } from '../../../layers/dicom';
import { dictionaryEntry, readDicomFile, type DataSet, type DicomElement } from '../../../layers/dicom/dcmjs';
import { sequenceItems, textValues } from '../../../layers/dicom/dataset';
import table from '../../../layers/dicom/reference/ps3.15-annex-e.json';
import keepList from '../../../layers/dicom/profiles/keep-list.json';
import freeText from '../../../layers/dicom/profiles/free-text.json';
import { makeDicom } from '../../support/synthetic-dicom';
import { SECRET } from './helpers';

interface Row {
  tag: string;
  keyword: string | null;
  kind: string;
  basic: string;
  options: Record<string, string | null>;
}

const ANCHOR = '00082218'; // AnatomicRegionSequence: on the keep-list, so its item is cleaned by the same table
const ROWS = (table as Row[])
  .filter((r) => r.kind === 'exact')
  .map((r, index) => ({
    row: r,
    key: r.tag.replace(/[(),]/g, ''),
    vr: (dictionaryEntry(r.tag.replace(/[(),]/g, ''))?.vr ?? 'UN').slice(0, 2),
    index,
  }));

function planted(vr: string, index: number): DicomElement {
  switch (vr) {
    case 'SQ':
      return { vr, Value: [{ '00080100': { vr: 'SH', Value: [`CODE${index}`] } }] };
    case 'DA':
      return { vr, Value: ['20200102'] };
    case 'DT':
      return { vr, Value: ['20200102101112'] };
    case 'TM':
      return { vr, Value: ['101112'] };
    case 'AS':
      return { vr, Value: ['045Y'] };
    case 'UI':
      return { vr, Value: [`1.2.826.0.1.3680043.8.498.55.${index}`] };
    case 'PN':
      return { vr, Value: [{ Alphabetic: `ROWNAME${index}^GIVEN${index}` }] };
    case 'DS':
    case 'IS':
      return { vr, Value: [index] };
    case 'US':
      return { vr, Value: [index] };
    case 'OB':
    case 'UN':
      return { vr, Value: [new Uint8Array([1, 2, 3, index % 256]).buffer] };
    case 'CS':
      return { vr, Value: [`CS${index}`] };
    case 'AE':
      return { vr, Value: [`AE${index}`] };
    default:
      return { vr, Value: [`VALUE${index}`] };
  }
}

/** The action as the table and profile require it, resolved as documented above. */
// Free text about the patient: hilum removes it whatever the options say (the Basic Profile's code applies).
const FREE_TEXT_REMOVED = new Set(freeText.attributes.filter((a) => a.action === 'remove').map((a) => a.tag));

function required(row: Row, profile: DeidProfile): 'X' | 'Z' | 'D' | 'U' | 'K' | 'C' {
  const codes = Object.entries(FREE_TEXT_REMOVED.has(row.tag) ? {} : profile.options)
    .filter(([, on]) => on)
    .map(([o]) => row.options[o])
    .filter((c): c is string => !!c);
  const code = codes.includes('C') ? 'C' : codes.includes('K') ? 'K' : row.basic;
  if (code === 'X/Z/U*') return 'K';
  if (code.includes('X')) return 'X';
  if (code === 'Z/D') return 'Z';
  return code as 'Z' | 'D' | 'U' | 'K' | 'C';
}

const DAY = 86_400_000;
const daysBack = (before: string, after: string): number =>
  (Date.UTC(+before.slice(0, 4), +before.slice(4, 6) - 1, +before.slice(6, 8)) -
    Date.UTC(+after.slice(0, 4), +after.slice(4, 6) - 1, +after.slice(6, 8))) /
  DAY;

function text(e: DicomElement | undefined): string {
  return e ? (textValues(e)[0] ?? '').trim() : '';
}

describe.each([
  ['default (MIDRC)', DEFAULT_PROFILE],
  ['Basic only', BASIC_PROFILE],
])('Annex E rows under the %s profile', (_name, profile) => {
  // Group 0002 is File Meta (rebuilt, tested elsewhere); at top level it cannot sit in the data set.
  const topRows = ROWS.filter((r) => !r.key.startsWith('0002') && !r.key.startsWith('0000'));
  const elements: DataSet = Object.fromEntries(topRows.map((r) => [r.key, planted(r.vr, r.index)]));
  elements[ANCHOR] = { vr: 'SQ', Value: [Object.fromEntries(ROWS.map((r) => [r.key, planted(r.vr, r.index)]))] };
  const original = makeDicom({ elements, privateBlock: false });
  const out = deidentify(original, { ...SECRET, profile });
  const top = readDicomFile(out.bytes).dict;
  const nested = sequenceItems(top[ANCHOR] ?? { vr: 'SQ' })[0] ?? {};
  const shifts = new Set<number>();

  it('keeps the anchor sequence and its item', () => {
    expect(sequenceItems(top[ANCHOR] ?? { vr: 'SQ' })).toHaveLength(1);
  });

  const cases = [
    ...topRows.map((r) => ({ ...r, where: 'top level', nestedCase: false })),
    ...ROWS.map((r) => ({ ...r, where: 'in a sequence', nestedCase: true })),
  ];
  it.each(cases.map((c) => [`${c.row.tag} ${c.row.keyword ?? ''} (${c.vr}) ${c.where}: ${required(c.row, profile)}`, c] as const))(
    '%s',
    (_title, c) => {
      const dict = c.nestedCase ? nested : top;
      const element = dict[c.key];
      const action = required(c.row, profile);
      const before = planted(c.vr, c.index);
      const beforeText = text(before);
      if (!c.nestedCase && (c.key === '00100010' || c.key === '00100020')) {
        expect(text(element)).toMatch(/^HILUM-[0-9A-F]{16}$/); // top-level patient identity: the keyed pseudonym
        return;
      }
      switch (action) {
        case 'X':
          expect(element).toBeUndefined();
          return;
        case 'Z':
          expect(element).toBeDefined();
          if (c.vr === 'SQ') expect(sequenceItems(element as DicomElement)).toHaveLength(0);
          else expect(text(element)).toBe('');
          return;
        case 'D':
          expect(element).toBeDefined();
          if (c.vr === 'SQ') expect(sequenceItems(element as DicomElement)).toHaveLength(0);
          else if (c.vr === 'OB' || c.vr === 'UN')
            expect(Buffer.from(element?.Value?.[0] as ArrayBuffer).equals(Buffer.from(before.Value?.[0] as ArrayBuffer))).toBe(false);
          else expect(['', beforeText]).not.toContain(text(element)); // non-zero length, and not the original
          return;
        case 'U':
          expect(text(element)).toBe(remapUid(beforeText, SECRET));
          return;
        case 'K':
        case 'C': {
          expect(element).toBeDefined();
          if (c.vr === 'SQ') {
            expect(sequenceItems(element as DicomElement).map((i) => text(i['00080100']))).toEqual([`CODE${c.index}`]);
          } else if (c.vr === 'DA' || c.vr === 'DT') {
            if (!profile.options.retainLongitudinalModifiedDates) {
              expect(text(element)).toBe('');
              return;
            }
            const after = text(element);
            expect(after).toMatch(/^\d{8}/);
            expect(after.slice(8)).toBe(beforeText.slice(8)); // time of day kept
            const days = daysBack(beforeText, after);
            expect(days).toBeGreaterThanOrEqual(profile.dates.minShiftDays);
            expect(days).toBeLessThanOrEqual(profile.dates.maxShiftDays);
            shifts.add(days);
            expect(shifts.size).toBe(1); // every date of the patient moves by the same number of days
          } else if (c.vr === 'OB' || c.vr === 'UN' || c.vr === 'US') {
            expect(element?.Value?.length).toBe(1);
          } else {
            expect(text(element)).toBe(beforeText);
          }
          return;
        }
      }
    },
  );

  it('leaves no public attribute that is neither in the table nor on the keep-list', () => {
    const allowed = new Set([...ROWS.map((r) => r.key), ...keepList.attributes.map((a) => a.tag.replace(/[(),]/g, ''))]);
    const all = (d: DataSet): string[] => Object.entries(d).flatMap(([k, e]) => [k, ...sequenceItems(e).flatMap(all)]);
    expect(all(top).filter((k) => !allowed.has(k))).toEqual([]);
  });
});
