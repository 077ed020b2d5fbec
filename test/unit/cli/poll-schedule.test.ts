/**
 * `hilum upload --wait` asks about its submission at the end the progress points to (PollSchedule,
 * cli/lib/follow-submission.ts): the end noticed sooner than with a fixed 2 s, with about as many requests.
 * A stand-in pipeline on a fake clock: no real waits.
 */
import { PollSchedule } from '../../../cli/lib/follow-submission';

/** A pipeline that decides `total` files evenly from `firstAt` to `lastAt` (ms) and publishes `publishMs` later. */
function pipeline(total: number, firstAt: number, lastAt: number, publishMs: number) {
  return (now: number) => {
    const decided = now < firstAt ? 0 : Math.min(total, Math.floor(1 + ((now - firstAt) * (total - 1)) / Math.max(1, lastAt - firstAt)));
    return { decided, published: now >= lastAt + publishMs };
  };
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

  it.each(cases)('$name: notices the publication within half a second, with at most two requests more than every 2 s', (c) => {
    const seen = pipeline(c.total, c.firstAt, c.lastAt, c.publishMs);
    const publishedAt = c.lastAt + c.publishMs;
    const uploadedAt = Math.round(c.firstAt + (c.lastAt - c.firstAt) * 0.6);
    const fixed = follow(seen, publishedAt, uploadedAt, () => 2000);
    const schedule = new PollSchedule(0);
    const planned = follow(seen, publishedAt, uploadedAt, (decided, now) => schedule.next(decided, c.total, now));
    expect(planned.lateMs).toBeLessThanOrEqual(500);
    expect(planned.requests).toBeLessThanOrEqual(fixed.requests + 2);
  });

  it('notices a publication that comes 1.5 s after the last outcome within a second, with at most three requests more', () => {
    const seen = pipeline(50, 1_000, 12_300, 1_500);
    const fixed = follow(seen, 13_800, 8_000, () => 2000);
    const schedule = new PollSchedule(0);
    const planned = follow(seen, 13_800, 8_000, (decided, now) => schedule.next(decided, 50, now));
    expect(planned.lateMs).toBeLessThan(1000);
    expect(planned.requests).toBeLessThanOrEqual(fixed.requests + 3);
  });

  it('waits the longest while nothing is decided yet, and never less than the shortest', () => {
    const schedule = new PollSchedule(0);
    expect(schedule.next(0, 100, 1_000)).toBe(2000);
    expect(schedule.next(100, 100, 3_000)).toBe(250);
  });

  it('doubles the wait after each look that found nothing new, so a late publication costs few requests', () => {
    const schedule = new PollSchedule(0);
    expect(schedule.next(10, 10, 5_000)).toBe(250);
    expect(schedule.next(10, 10, 5_250)).toBe(500);
    expect(schedule.next(10, 10, 5_750)).toBe(1000);
    expect(schedule.next(10, 10, 6_750)).toBe(2000);
    expect(schedule.next(10, 10, 8_750)).toBe(2000);
  });

  it('aims at the end the pace since the first look points to', () => {
    const schedule = new PollSchedule(0);
    schedule.next(20, 100, 10_000);
    // 60 more in 2 s: 20 left, 0.67 s away.
    expect(schedule.next(80, 100, 12_000)).toBe(667);
  });
});
