/**
 * The identifier patterns the text cleaner and the verifier share
 * (layers/dicom/text/identifier-patterns.ts): each class on realistic strings,
 * dates shifted in their own written form or removed when the day is not
 * certain, and a list of what research needs that must come through unchanged.
 */
import { cleanIdentifierPatterns, findIdentifierPatterns } from '../../../layers/dicom/text/identifier-patterns';

const kinds = (text: string): string[] => findIdentifierPatterns(text).map((f) => f.kind);
const SHIFT = 10;

describe('identifier patterns: each class is found', () => {
  it.each([
    ['date', 'seen 2020-03-04 for follow-up'],
    ['date', 'seen 2020/3/4'],
    ['date', 'seen 2020.03.04'],
    ['date', 'seen 20200304'],
    ['date', 'seen 13/03/2020'],
    ['date', 'seen 03/13/2020'],
    ['date', 'seen 04.03.2020'],
    ['date', 'seen 4-3-20'],
    ['date', 'seen 3 March 2020'],
    ['date', 'seen 3rd of March 2020'],
    ['date', 'seen March 3, 2020'],
    ['date', 'seen MAR 3RD 2020'],
    ['date', 'seen 03-MAR-2020'],
    ['date', 'seen March 2020'],
    ['date', 'seen 3 Mar'],
    ['time', 'at 10:32'],
    ['time', 'at 9:05 am'],
    ['time', 'at 3pm'],
    ['time', 'at 23:59:58.5'],
    ['phone', 'call (555) 123-4567'],
    ['phone', 'call 555-123-4567'],
    ['phone', 'call +44 20 7946 0958'],
    ['phone', 'call 555.123.4567'],
    ['email', 'mail jane.doe+x@example.org'],
    ['id', 'MRN 1234567'],
    ['id', 'MRN: 00123456'],
    ['id', 'acc A12345'],
    ['id', 'acc RAD-2020-1234'],
    ['id', 'ssn 123-45-6789'],
    ['address', 'lives at 221B Baker Street'],
    ['address', 'lives at 12 Elm Ave.'],
    ['address', '1600 Pennsylvania Avenue'],
    ['address', 'Hauptstraße 5'],
    ['address', 'P.O. Box 77'],
  ])('%s in %j', (kind, text) => {
    expect(kinds(text)).toContain(kind);
  });
});

describe('identifier patterns: dates are shifted in their written form, or removed', () => {
  it.each([
    ['CT 2020-03-04', 'CT 2020-02-23'],
    ['CT 2020/3/14', 'CT 2020/3/4'],
    ['CT 20200304', 'CT 20200223'],
    // The compact form keeps its eight digits whatever the day.
    ['CT 20201221', 'CT 20201211'],
    ['seen 13/03/2020', 'seen 03/03/2020'],
    ['seen 03/13/2020', 'seen 03/03/2020'],
    ['seen 25.05.2020', 'seen 15.05.2020'],
    ['seen 3rd of March 2020', 'seen 22nd of February 2020'],
    ['seen March 3, 2020', 'seen February 22, 2020'],
    ['seen MAR 3RD 2020', 'seen FEB 22ND 2020'],
    ['seen 03-MAR-2020', 'seen 22-FEB-2020'],
    ['seen 11 January 2021', 'seen 1 January 2021'],
  ])('%j becomes %j', (text, shifted) => {
    expect(cleanIdentifierPatterns(text, SHIFT)).toEqual({ text: shifted, removed: 0, shifted: 1 });
  });

  it.each([
    // Day and month both 12 or less and different: which day is a guess.
    ['seen 04/03/2020 today', 'seen today'],
    // One day, but which place holds the day is unknown, so it cannot be rewritten in the same order.
    ['seen 05.05.2020 today', 'seen today'],
    // Certain (13 is a day), but the shifted day would read both ways (03.05): removed, so any such date in an output is a leak.
    ['seen 13.05.2020 today', 'seen today'],
    // Two-digit year: which century, and often which order, is a guess.
    ['seen 13-03-20 today', 'seen today'],
    // Month and year, or day and month: no one day to shift.
    ['seen March 2020 today', 'seen today'],
    ['seen 3 Mar today', 'seen today'],
  ])('%j becomes %j (removed)', (text, cleaned) => {
    expect(cleanIdentifierPatterns(text, SHIFT)).toEqual({ text: cleaned, removed: 1, shifted: 0 });
  });

  it('removes every date when there is no shift (no date option)', () => {
    expect(cleanIdentifierPatterns('CT 2020-03-04 and 3rd of March 2020', undefined)).toEqual({ text: 'CT and', removed: 2, shifted: 0 });
  });

  it('does not take an impossible date for one (31 February) but still removes its digits as a number when long', () => {
    expect(kinds('on 2020-02-31')).not.toContain('date');
    expect(kinds('on 31/02/2020')).not.toContain('date');
  });
});

describe('identifier patterns: what research needs survives', () => {
  const NEEDED = [
    '5 mm',
    '2.5 mm',
    '0.625 mm',
    'T1',
    'T2',
    'T2 FLAIR',
    'L5-S1',
    'C1-C7',
    'T11-L2',
    'PA',
    'AP',
    'LAT',
    'CHEST 2V',
    'CHEST PA AND LAT',
    '3 PHASE LIVER CT',
    '2 VIEW DR',
    'DWI b1000',
    'b=800',
    '1.5T',
    '3T',
    '120 kVp',
    '250 mAs',
    '512x512',
    '2048x2048',
    '512 512',
    'FOV 350',
    'SE 3 IM 45',
    'WITH CONTRAST 100 ml',
    'ISOVUE 370',
    'CTA HEAD AND NECK',
    'LEFT KNEE',
    'R BREAST',
    'T1 MAR',
    'SLICE 1.25',
    '0.625000',
    'ST 5',
    'ZOOM 1.5',
    'TR 2000 TE 90',
    'KERNEL B30f',
    'CPT 71260',
    'MIP 10',
  ];
  it.each(NEEDED)('%j', (text) => {
    expect(findIdentifierPatterns(text)).toEqual([]);
    expect(cleanIdentifierPatterns(text, SHIFT).text).toBe(text);
  });
});

describe('identifier patterns: cost', () => {
  it('cleans a 60 KB text of near misses in linear time (no quadratic e-mail or address search)', () => {
    const texts = [`${'a.'.repeat(30_000)}@`, `DOE 000001 ${'x'.repeat(60_000)}`, `${'1 '.repeat(30_000)}`];
    for (const text of texts) {
      const start = process.hrtime.bigint();
      cleanIdentifierPatterns(text, SHIFT);
      expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(2000);
    }
  });
});
