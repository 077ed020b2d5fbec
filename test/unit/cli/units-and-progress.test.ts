import { parseByteSize } from '../../../cli/command';
import { ProgressBar } from '../../../cli/lib/progress';

describe('sizes and rates with units', () => {
  it.each([
    ['1M', 1024 * 1024],
    ['1m', 1024 * 1024],
    ['500k', 500 * 1024],
    ['1.5MB', 1.5 * 1024 * 1024],
    ['2MiB', 2 * 1024 * 1024],
    ['1G', 1024 ** 3],
    ['250000', 250_000],
  ])('reads %s as %d bytes', (raw, bytes) => {
    expect(parseByteSize(raw)).toBe(bytes);
  });

  it.each(['abc', '1X', '-1M', '', 'M'])('refuses %p', (raw) => {
    expect(parseByteSize(raw)).toBeUndefined();
  });
});

describe('progress off a terminal', () => {
  const written: string[] = [];
  const pipe = { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;

  afterEach(() => {
    delete process.env.HILUM_PROGRESS_SECONDS;
    written.length = 0;
  });

  it('prints a plain line every so often, never a carriage return', async () => {
    process.env.HILUM_PROGRESS_SECONDS = '0.01';
    const progress = new ProgressBar({ label: 'upload', totalItems: 3, totalBytes: 300, stream: pipe });
    for (let i = 0; i < 3; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      progress.tick(1, 100);
    }
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written.every((line) => line.startsWith('upload [') && line.endsWith('\n') && !line.includes('\r'))).toBe(true);
  });

  it('stays silent when quiet', async () => {
    process.env.HILUM_PROGRESS_SECONDS = '0.01';
    const progress = new ProgressBar({ label: 'upload', totalItems: 2, stream: pipe, quiet: true });
    await new Promise((r) => setTimeout(r, 20));
    progress.tick(2);
    progress.done();
    expect(written).toEqual([]);
  });
});

describe('the ETA of a resumed run', () => {
  it('leaves out what an earlier run did: half found done, a tenth sent in 1 s, leaves 4 s, not 0.8 s', () => {
    const started = Date.now();
    const now = jest.spyOn(Date, 'now').mockReturnValue(started);
    try {
      const pipe = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
      const progress = new ProgressBar({ label: 'download', totalItems: 10, totalBytes: 1000, stream: pipe });
      progress.skip(5, 500);
      now.mockReturnValue(started + 1000);
      progress.tick(1, 100);
      expect(progress.line()).toMatch(/ 100 B\/s ETA 4s$/);
    } finally {
      now.mockRestore();
    }
  });
});
