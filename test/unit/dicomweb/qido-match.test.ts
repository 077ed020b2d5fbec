import { InvalidMatchValue, matches, normalizeTime, parseCondition, wildcardMatch, yearOverlaps } from '../../../layers/dicomweb';

describe('QIDO-RS matching (PS3.4 C.2.2.2)', () => {
  it('takes an empty value or * alone for universal matching, which also matches a record without a value', () => {
    for (const kind of ['uid', 'text', 'code', 'number', 'date', 'time'] as const) {
      expect(parseCondition(kind, '')).toEqual({ kind: 'universal' });
      expect(matches(parseCondition(kind, '*'), [])).toBe(true);
    }
  });

  it('matches a single value exactly and case-sensitively, and never a record without a value', () => {
    const ct = parseCondition('code', 'CT');
    expect(matches(ct, ['CT'])).toBe(true);
    expect(matches(ct, ['ct'])).toBe(false);
    expect(matches(ct, ['MR', 'CT'])).toBe(true);
    expect(matches(ct, [])).toBe(false);
  });

  it('reads lists of UIDs, codes and numbers separated by comma or backslash; free text only by backslash', () => {
    expect(matches(parseCondition('uid', '1.2,1.3'), ['1.3'])).toBe(true);
    expect(matches(parseCondition('uid', '1.2\\1.3'), ['1.3'])).toBe(true);
    expect(matches(parseCondition('uid', '1.2,1.3'), ['1.2.3'])).toBe(false);
    expect(matches(parseCondition('code', 'CT,MR'), ['MR'])).toBe(true);
    expect(matches(parseCondition('number', '2,5'), [5])).toBe(true);
    expect(matches(parseCondition('number', '2,5'), [3])).toBe(false);
    expect(matches(parseCondition('text', 'CT, CHEST'), ['CT, CHEST'])).toBe(true);
    expect(matches(parseCondition('text', 'CT\\MR HEAD'), ['MR HEAD'])).toBe(true);
  });

  it('matches * and ? wildcards, and ignores case for names under fuzzymatching', () => {
    expect(wildcardMatch('HILUM-*', 'HILUM-0123abcd')).toBe(true);
    expect(wildcardMatch('HILUM-????', 'HILUM-0123')).toBe(true);
    expect(wildcardMatch('HILUM-????', 'HILUM-01234')).toBe(false);
    expect(wildcardMatch('*CHEST*', 'CT CHEST W CONTRAST')).toBe(true);
    expect(wildcardMatch('*a*b', 'aaab')).toBe(true);
    expect(wildcardMatch('*a*b', 'aaa')).toBe(false);
    expect(wildcardMatch('a.b', 'axb')).toBe(false); // no regular-expression meaning
    expect(matches(parseCondition('text', 'hilum-*'), ['HILUM-01'])).toBe(false);
    expect(matches(parseCondition('text', 'hilum-*', { fuzzy: true }), ['HILUM-01'])).toBe(true);
  });

  it('matches a pattern of many stars against a long value quickly (no backtracking blow-up)', () => {
    const started = process.hrtime.bigint();
    expect(wildcardMatch(`${'*a'.repeat(40)}*b`, 'a'.repeat(64))).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(200);
  });

  it('reads date values and ranges (single, closed, open at either end) and refuses what is not a date', () => {
    expect(parseCondition('date', '20200105')).toEqual({ kind: 'dates', ranges: [{ from: '20200105', to: '20200105' }] });
    expect(parseCondition('date', '20200101-20201231')).toEqual({ kind: 'dates', ranges: [{ from: '20200101', to: '20201231' }] });
    expect(parseCondition('date', '-20191231')).toEqual({ kind: 'dates', ranges: [{ to: '20191231' }] });
    expect(parseCondition('date', '20210101-')).toEqual({ kind: 'dates', ranges: [{ from: '20210101' }] });
    for (const bad of ['2020', '2020-01-01', '20201301', '20201231-20200101', '-', 'x'])
      expect(() => parseCondition('date', bad)).toThrow(InvalidMatchValue);
  });

  it('matches a date range against a year when the year overlaps it, and a study without a year only universally', () => {
    const first2020 = parseCondition('date', '20200615');
    expect(yearOverlaps(first2020, 2020)).toBe(true);
    expect(yearOverlaps(first2020, 2019)).toBe(false);
    expect(yearOverlaps(parseCondition('date', '20191231-20200101'), 2019)).toBe(true);
    expect(yearOverlaps(parseCondition('date', '20191231-20200101'), 2020)).toBe(true);
    expect(yearOverlaps(parseCondition('date', '20191231-20200101'), 2021)).toBe(false);
    expect(yearOverlaps(parseCondition('date', '-20181231'), 2018)).toBe(true);
    expect(yearOverlaps(parseCondition('date', '-20181231'), 2019)).toBe(false);
    expect(yearOverlaps(parseCondition('date', '20210101-'), 2020)).toBe(false);
    expect(yearOverlaps(parseCondition('date', '20180101\\20220101'), 2022)).toBe(true);
    expect(yearOverlaps(parseCondition('date', '20200101'), undefined)).toBe(false);
    expect(yearOverlaps(parseCondition('date', ''), undefined)).toBe(true);
  });

  it('reads times to the hour at least; a partial time stands for the span it names', () => {
    expect(normalizeTime('0930')).toBe('093000.000000');
    expect(normalizeTime('0930', 'end')).toBe('093059.999999');
    expect(normalizeTime('093015.5')).toBe('093015.500000');
    expect(normalizeTime('09:30:15')).toBe('093015.000000');
    expect(normalizeTime('2530')).toBeUndefined();
    const morning = parseCondition('time', '0900-10');
    expect(matches(morning, [normalizeTime('105959.9')!])).toBe(true);
    expect(matches(morning, [normalizeTime('110000')!])).toBe(false);
    expect(matches(morning, [normalizeTime('085959')!])).toBe(false);
    expect(matches(parseCondition('time', '1430'), [normalizeTime('143045')!])).toBe(true);
    expect(matches(parseCondition('time', '-08'), [normalizeTime('0815')!])).toBe(true);
    for (const bad of ['9', '0960', '1000-0900', 'noon']) expect(() => parseCondition('time', bad)).toThrow(InvalidMatchValue);
  });

  it('refuses UID lists with wildcards or other characters, numbers that are not whole, and overlong lists', () => {
    expect(() => parseCondition('uid', '1.2.*')).toThrow(InvalidMatchValue);
    expect(() => parseCondition('number', '1.5')).toThrow(InvalidMatchValue);
    expect(() => parseCondition('uid', Array.from({ length: 201 }, (_, i) => `1.${i}`).join(','))).toThrow(InvalidMatchValue);
  });
});
