/** How the portal writes numbers, dates and durations. */

const COUNT = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return COUNT.format(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** An ISO time as `2026-12-06 16:02 UTC` (UTC: audit and expiry times compare across sites). */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How long until (or since) `iso`, in the largest whole unit: `in 3 days`, `2 hours ago`. */
export function relativeTime(iso: string, nowMs: number): string {
  const ms = new Date(iso).getTime() - nowMs;
  const abs = Math.abs(ms);
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const text = `${n} ${name}${n === 1 ? '' : 's'}`;
      return ms >= 0 ? `in ${text}` : `${text} ago`;
    }
  }
  return ms >= 0 ? 'in less than a minute' : 'just now';
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/**
 * The `hilum download` command for a cohort's manifest saved as `manifestFile` (quoted for a POSIX shell);
 * the token comes from HILUM_TOKEN, as the CLI reads it.
 */
export function downloadCommand(cohortId: string, apiUrl: string, manifestFile = `cohort-${cohortId}.json`): string {
  return `npx hilum download ${shellQuote(manifestFile)} --out ${shellQuote(`cohort-${cohortId}`)} --api ${shellQuote(apiUrl)}`;
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9._/:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Rows as CSV (RFC 4180: quotes doubled, fields with separators quoted); a formula-looking cell is prefixed with `'`. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | undefined)[])[]): string {
  const cell = (v: string | number | undefined) => {
    let s = v === undefined ? '' : String(v);
    // Spreadsheets run cells that start with = + - @ as formulas: audit fields are typed by people.
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
