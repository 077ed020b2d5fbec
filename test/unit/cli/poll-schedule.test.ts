/**
 * `hilum upload --wait` asks about its submission at the end the progress points to (PollSchedule,
 * cli/lib/follow-submission.ts): the end noticed sooner than with a fixed 2 s or 1 s, with no more requests than a
 * fixed 1 s. A stand-in pipeline on a fake clock: no real waits.
 */
import { PUBLICATION_WATCH_MS, PollSchedule } from '../../../cli/lib/follow-submission';

/** A pipeline that decides `total` files evenly from `firstAt` to `lastAt` (ms) and publishes `publishMs` later. */
function pipeline(total: number, firstAt: number, lastAt: number, publishMs: number) {
  return (now: number) => {
    const decided = now < firstAt ? 0 : Math.min(total, Math.floor(1 + ((now - firstAt) * (total - 1)) / Math.max(1, lastAt - firstAt)));
    return { decided, published: now >= lastAt + publishMs };
  };
}

/**
 * A pipeline that decides its files a batch at a time, as the batch ingest does (each batch's files at its end):
 * `ends` are the batches' ends (ms) with their files; published `publishMs` after the last.
 */
function batches(ends: readonly (readonly [number, number])[], publishMs: number) {
  const last = Math.max(...ends.map(([at]) => at));
  return (now: number) => ({
    decided: ends.filter(([at]) => at <= now).reduce((sum, [, files]) => sum + files, 0),
    published: now >= last + publishMs,
  });
}

/** Polls from `uploadedAt` until published, waiting `wait(decided, now)` between looks: the requests made and how late the end was noticed. */
function follow(
  seen: ReturnType<typeof pipeline>,
  publishedAt: number,
  uploadedAt: number,
  wait: (decided: number, now: number) => number,
): { requests: number; lateMs: number } {
  let now = uploadedAt;
  let requests = 0;
  for (;;) {
    requests += 1;
    const { decided, published } = seen(now);
    if (published) return { requests, lateMs: now - publishedAt };
    now += wait(decided, now);
  }
}

describe('PollSchedule', () => {
  const cases = [
    // 50 radiographs: uploaded in 8 s while the pipeline works, the last outcomes 12 s after the upload's start.
    { name: '50 radiographs', total: 50, firstAt: 1_000, lastAt: 12_300, publishMs: 300 },
    // 1,000 CT slices: the pipeline a few seconds behind the upload.
    { name: '1,000 CT slices', total: 1000, firstAt: 800, lastAt: 21_700, publishMs: 500 },
    // A slow pipeline: minutes.
    { name: 'a slow pipeline', total: 200, firstAt: 5_000, lastAt: 180_000, publishMs: 400 },
  ];

  // Five more than every second at most: the quick second look after a first that found files decided, and the looks a
  // tenth of a second apart while the submission workflow runs (five over a half-second workflow, where every second
  // looks once).
  it.each(cases)('$name: notices the publication within half a second, with at most five requests more than every second', (c) => {
    const seen = pipeline(c.total, c.firstAt, c.lastAt, c.publishMs);
    const publishedAt = c.lastAt + c.publishMs;
    const uploadedAt = Math.round(c.firstAt + (c.lastAt - c.firstAt) * 0.6);
    const everySecond = follow(seen, publishedAt, uploadedAt, () => 1000);
    const schedule = new PollSchedule(0);
    const planned = follow(seen, publishedAt, uploadedAt, (decided, now) => schedule.next(decided, c.total, now));
    expect(planned.lateMs).toBeLessThanOrEqual(500);
    expect(planned.requests).toBeLessThanOrEqual(everySecond.requests + 5);
  });

  it('a slow pipeline: asks about as often as every 2 s once it has waited long', () => {
    const seen = pipeline(200, 5_000, 180_000, 400);
    const everyTwo = follow(seen, 180_400, 110_000, () => 2000);
    const schedule = new PollSchedule(0);
    const planned = follow(seen, 180_400, 110_000, (decided, now) => schedule.next(decided, 200, now));
    expect(planned.requests).toBeLessThanOrEqual(everyTwo.requests + PUBLICATION_WATCH_MS / 100);
  });

  // Three sets as bench/timeline.ts recorded them (ms from the upload's start; a loaded machine): 20 radiographs decided
  // a batch at a time, nothing for seconds and then ten files at once, the submission workflow after the last. The
  // first look comes when the upload is complete; the 2 s cap noticed these publications 0.9-1.3 s late.
  const lumpy = [
    {
      name: '20 radiographs, two batches of ten',
      ends: [
        [17_920, 10],
        [18_490, 10],
      ] as const,
      uploadedAt: 10_457,
      publishedAt: 19_151,
    },
    {
      name: '20 radiographs, batches of 1, 9, 10',
      ends: [
        [15_193, 1],
        [20_447, 9],
        [21_426, 10],
      ] as const,
      uploadedAt: 11_235,
      publishedAt: 22_191,
    },
    {
      name: '20 radiographs, batches of 3, 7, 10',
      ends: [
        [27_854, 3],
        [29_172, 7],
        [29_178, 10],
      ] as const,
      uploadedAt: 15_345,
      publishedAt: 30_232,
    },
  ];

  it.each(lumpy)('$name: notices the publication within half a second', (c) => {
    const total = c.ends.reduce((sum, [, files]) => sum + files, 0);
    const publishedAt = c.publishedAt;
    const seen = batches(c.ends, publishedAt - Math.max(...c.ends.map(([at]) => at)));
    const schedule = new PollSchedule(0);
    const planned = follow(seen, publishedAt, c.uploadedAt, (decided, now) => schedule.next(decided, total, now));
    const everySecond = follow(seen, publishedAt, c.uploadedAt, () => 1000);
    expect(planned.lateMs).toBeLessThanOrEqual(500);
    expect(planned.requests).toBeLessThanOrEqual(everySecond.requests + 2);
  });

  it('300 CT slices whose batches all end after the upload: the second look comes a quarter second after the first, to measure the pace', () => {
    // bench/timeline.ts (bench ingest -- --ct 300, ms from the upload's start): the first look, when the upload was
    // complete, found 200 decided; thirty batches of ten had been in flight together and ended within 1.1 s; published
    // 0.21 s after the last. The pace since the upload's start put the end 2.2 s away: the next look came 1 s later.
    const ends = [
      3640, 3670, 3720, 3730, 3790, 3850, 3860, 3860, 3920, 4000, 4030, 4040, 4080, 4140, 4210, 4270, 4310, 4320, 4330, 4360, 4530, 4550,
      4560, 4600, 4630, 4640, 4680, 4690, 4700, 4740,
    ].map((at) => [at, 10] as const);
    const seen = batches(ends, 210);
    const schedule = new PollSchedule(0);
    const planned = follow(seen, 4950, 4400, (decided, now) => schedule.next(decided, 300, now));
    expect(planned.lateMs).toBeLessThanOrEqual(250);
  });

  it('notices a publication that comes 1.5 s after the last outcome within a tenth of a second', () => {
    const seen = pipeline(50, 1_000, 12_300, 1_500);
    const schedule = new PollSchedule(0);
    const planned = follow(seen, 13_800, 8_000, (decided, now) => schedule.next(decided, 50, now));
    expect(planned.lateMs).toBeLessThanOrEqual(100);
  });

  it('waits the longest while nothing is decided yet, a twentieth of the time waited so far, between half the longest and the longest', () => {
    const schedule = new PollSchedule(0);
    expect(schedule.next(0, 100, 1_000)).toBe(1000);
    expect(schedule.next(0, 100, 30_000)).toBe(1500);
    expect(schedule.next(0, 100, 60_000)).toBe(2000);
    expect(new PollSchedule(0).next(100, 100, 3_000)).toBe(100);
  });

  it('looks every tenth of a second for the publication after the last outcome, then doubles the wait after each look that found nothing new', () => {
    const schedule = new PollSchedule(0);
    for (let at = 40_000; at < 40_000 + PUBLICATION_WATCH_MS; at += 100) expect(schedule.next(10, 10, at)).toBe(100);
    // Twenty looks found nothing new: the wait is the longest (40 s waited: a twentieth is 2 s).
    expect(schedule.next(10, 10, 42_000)).toBe(2000);
  });

  it('doubles the wait after each look that found nothing new while files are left', () => {
    const schedule = new PollSchedule(0);
    schedule.next(20, 100, 60_000);
    // 60 more in 2 s (20 left: 0.67 s away); then nothing new: the pace since the first look (60 in 2.67 s) puts the
    // end 0.89 s away, doubled; then the longest (2 s: 64 s waited).
    expect(schedule.next(80, 100, 62_000)).toBe(667);
    expect(schedule.next(80, 100, 62_667)).toBe(1778);
    expect(schedule.next(80, 100, 64_445)).toBe(2000);
  });

  it('aims at the end the pace since the first look points to', () => {
    const schedule = new PollSchedule(0);
    schedule.next(20, 100, 10_000);
    // 60 more in 2 s: 20 left, 0.67 s away.
    expect(schedule.next(80, 100, 12_000)).toBe(667);
  });
});
