import { barsInOrder, linearScale, niceMax, ticks } from '../../../web/src/lib/scales';
import { downloadCommand, formatTime, relativeTime, shellQuote, toCsv } from '../../../web/src/lib/format';
import { sortRows } from '../../../web/src/lib/table-sort';

describe('chart scales', () => {
  it('round the top of an axis up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 19, 21, 240, 251, 99_001].map(niceMax)).toEqual([1, 1, 5, 10, 20, 25, 250, 500, 100_000]);
  });

  it('map counts linearly onto the plot and clamp what falls outside', () => {
    const x = linearScale(80, 200); // top 100
    expect([x(0), x(50), x(100), x(-3), x(400)]).toEqual([0, 100, 200, 0, 200]);
  });

  it('put whole-number ticks from zero to the top', () => {
    expect(ticks(8)).toEqual([0, 3, 6, 9, 10]);
    expect(ticks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(ticks(0)).toEqual([0, 1]);
  });

  it('draw an age histogram in band order with empty bands as zero and unknown last', () => {
    const bars = barsInOrder(
      [
        { value: 'unknown', count: 2 },
        { value: '50-64', count: 5 },
        { value: '0-17', count: 1 },
      ],
      ['0-17', '18-29', '50-64'],
    );
    expect(bars).toEqual([
      { value: '0-17', count: 1 },
      { value: '18-29', count: 0 },
      { value: '50-64', count: 5 },
      { value: 'unknown', count: 2 },
    ]);
  });
});

describe('formatting', () => {
  it('writes times in UTC to the minute and says relative expiry in the largest whole unit', () => {
    expect(formatTime('2026-12-06T16:02:55.123Z')).toBe('2026-12-06 16:02 UTC');
    expect(formatTime('not a date')).toBe('—');
    const now = Date.parse('2026-12-06T00:00:00Z');
    expect(relativeTime('2026-12-09T12:00:00Z', now)).toBe('in 3 days');
    expect(relativeTime('2026-12-05T22:00:00Z', now)).toBe('2 hours ago');
    expect(relativeTime('2026-12-06T00:00:20Z', now)).toBe('in less than a minute');
  });

  it('quotes shell words only when needed, and safely', () => {
    expect(shellQuote('cohort-1.json')).toBe('cohort-1.json');
    expect(shellQuote("it's; rm -rf")).toBe(`'it'\\''s; rm -rf'`);
    expect(downloadCommand('c0ffee', 'http://127.0.0.1:3000')).toBe(
      'npx hilum download cohort-c0ffee.json --out cohort-c0ffee --api http://127.0.0.1:3000',
    );
  });

  it('writes CSV that spreadsheets read as data: quoted separators, doubled quotes, formulas defused', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['=HYPERLINK("x")', undefined],
          [3, '@sum'],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"\'=HYPERLINK(""x"")",\r\n3,\'@sum\r\n');
  });
});

describe('table sorting', () => {
  it('sorts numbers as numbers, text naturally, keeps ties in order, and reverses', () => {
    const rows = [
      { id: 'a', n: 10, t: 'site-10' },
      { id: 'b', n: 9, t: 'site-9' },
      { id: 'c', n: 10, t: 'Site-2' },
    ];
    expect(sortRows(rows, (r) => r.n, 'ascending').map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(sortRows(rows, (r) => r.t, 'ascending').map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(sortRows(rows, (r) => r.n, 'descending').map((r) => r.id)).toEqual(['a', 'c', 'b']);
  });
});
