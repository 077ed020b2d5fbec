/**
 * A one-line progress bar for long CLI runs: items, bytes, rate and ETA. On a
 * terminal it redraws in place; elsewhere (CI, pipes, log files) it prints the same
 * line as plain text every so often (HILUM_PROGRESS_SECONDS, default 10), so a long
 * run shows it is alive. `quiet` silences it.
 */
export interface ProgressOptions {
  readonly label: string;
  readonly totalItems: number;
  readonly totalBytes?: number;
  readonly stream?: NodeJS.WriteStream;
  /** Minimum milliseconds between redraws. */
  readonly intervalMs?: number;
  /** Nothing at all (--quiet, --json). */
  readonly quiet?: boolean;
}

const plainIntervalMs = (): number => {
  const seconds = Number(process.env.HILUM_PROGRESS_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 10) * 1000;
};

export class ProgressBar {
  private items = 0;
  private bytes = 0;
  /** Work an earlier run did (files already there): it fills the bar but took no time now, so rate and ETA leave it out. */
  private skippedItems = 0;
  private skippedBytes = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;
  private readonly plain: boolean;
  private lastPlain = Date.now();

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.enabled = this.stream.isTTY === true && options.quiet !== true;
    this.plain = this.stream.isTTY !== true && options.quiet !== true;
  }

  /** Records finished work and redraws if enough time has passed. */
  tick(items = 1, bytes = 0): void {
    this.items += items;
    this.bytes += bytes;
    const now = Date.now();
    if (this.plain && now - this.lastPlain >= plainIntervalMs()) {
      this.lastPlain = now;
      this.stream.write(`${this.line()}\n`);
    }
    if (now - this.lastDraw >= (this.options.intervalMs ?? 100) || this.items >= this.options.totalItems) {
      this.lastDraw = now;
      this.draw();
    }
  }

  /** Records work found done already (a resumed run); the bar moves, the rate and the ETA do not count it. */
  skip(items = 1, bytes = 0): void {
    this.skippedItems += items;
    this.skippedBytes += bytes;
    this.tick(items, bytes);
  }

  /** Clears the line so the summary starts clean. */
  done(): void {
    if (this.enabled) this.stream.write('\r\x1b[2K');
  }

  line(): string {
    const { label, totalItems, totalBytes } = this.options;
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const fraction = totalBytes ? this.bytes / totalBytes : totalItems ? this.items / totalItems : 1;
    const width = 24;
    const filled = Math.min(width, Math.round(fraction * width));
    const doneNow = totalBytes ? this.bytes - this.skippedBytes : this.items - this.skippedItems;
    const remaining = totalBytes ? totalBytes - this.bytes : totalItems - this.items;
    const rate = totalBytes ? `${formatBytes(doneNow / seconds)}/s` : `${(doneNow / seconds).toFixed(1)}/s`;
    const eta = doneNow > 0 && remaining > 0 ? ` ETA ${formatDuration((remaining / doneNow) * seconds)}` : '';
    const bytes = totalBytes ? ` ${formatBytes(this.bytes)}/${formatBytes(totalBytes)}` : '';
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.items}/${totalItems}${bytes} ${rate}${eta}`;
  }

  private draw(): void {
    if (this.enabled) this.stream.write(`\r\x1b[2K${this.line()}`);
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
