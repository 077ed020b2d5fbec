import { formatPercent } from '../../lib/plot';

/**
 * Two bars per category on a 0-100% scale: the project's cases and the comparison (the
 * reference population, or the sequestered set). The SVG is an image named by the same
 * figures the table beside it gives.
 */
export function PairedBars({
  title,
  rows,
  first,
  second,
}: {
  title: string;
  rows: readonly { label: string; a: number; b: number }[];
  first: string;
  second: string;
}) {
  const barHeight = 9;
  const rowHeight = 2 * barHeight + 8;
  const labelWidth = 170;
  const plotWidth = 170;
  const height = rows.length * rowHeight + 30;
  const top = Math.max(0.0001, ...rows.flatMap((r) => [r.a, r.b]));
  const x = (share: number) => (share / top) * plotWidth;
  const description = rows.map((r) => `${r.label}: ${first} ${formatPercent(r.a)}, ${second} ${formatPercent(r.b)}`).join('; ');
  return (
    <svg width={420} height={height} role="img" aria-label={`${title}: ${description}`} data-chart={title}>
      {rows.map((r, i) => {
        const y = i * rowHeight;
        return (
          <g key={r.label} data-category={r.label} data-first={r.a} data-second={r.b}>
            <text x={labelWidth - 6} y={y + barHeight + 4} textAnchor="end">
              {r.label.length > 26 ? `${r.label.slice(0, 25)}…` : r.label}
            </text>
            <rect x={labelWidth} y={y} width={Math.max(r.a > 0 ? 1 : 0, x(r.a))} height={barHeight} fill="#0b5cad" />
            <text x={labelWidth + x(r.a) + 4} y={y + barHeight - 1}>
              {formatPercent(r.a)}
            </text>
            <rect x={labelWidth} y={y + barHeight} width={Math.max(r.b > 0 ? 1 : 0, x(r.b))} height={barHeight} fill="#d9822b" />
            <text x={labelWidth + x(r.b) + 4} y={y + 2 * barHeight - 1}>
              {formatPercent(r.b)}
            </text>
          </g>
        );
      })}
      <g aria-hidden="true" transform={`translate(${labelWidth} ${height - 12})`}>
        <rect width={10} height={10} fill="#0b5cad" />
        <text x={14} y={9}>
          {first}
        </text>
        <rect x={110} width={10} height={10} fill="#d9822b" />
        <text x={124} y={9}>
          {second}
        </text>
      </g>
    </svg>
  );
}
