import { linearScale, ticks } from '../lib/scales';
import { formatCount } from '../lib/format';

/**
 * A horizontal bar chart in plain SVG: one bar per value with its count written beside it.
 * The SVG is an image with a text alternative; the same numbers are in the facet list.
 */
export function BarChart({
  title,
  bars,
  onSelect,
}: {
  title: string;
  bars: readonly { value: string; count: number }[];
  onSelect?: (value: string) => void;
}) {
  const barHeight = 18;
  const gap = 4;
  const labelWidth = 110;
  const width = 320;
  const plotWidth = width - labelWidth - 50;
  const height = Math.max(1, bars.length) * (barHeight + gap) + 20;
  const max = Math.max(0, ...bars.map((b) => b.count));
  const x = linearScale(max, plotWidth);
  const description = bars.map((b) => `${b.value}: ${formatCount(b.count)}`).join(', ') || 'no studies';
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg width={width} height={height} role="img" aria-label={`${title}: ${description}`} data-chart={title}>
        {ticks(max).map((t) => (
          <line key={t} x1={labelWidth + x(t)} x2={labelWidth + x(t)} y1={0} y2={height - 16} stroke="#e1e4e8" />
        ))}
        {bars.map((b, i) => {
          const y = i * (barHeight + gap);
          return (
            <g key={b.value} onClick={onSelect ? () => onSelect(b.value) : undefined} style={onSelect ? { cursor: 'pointer' } : undefined}>
              <text x={labelWidth - 6} y={y + barHeight - 5} textAnchor="end">
                {b.value.length > 16 ? `${b.value.slice(0, 15)}…` : b.value}
              </text>
              <rect
                x={labelWidth}
                y={y}
                width={Math.max(b.count > 0 ? 1 : 0, x(b.count))}
                height={barHeight}
                fill="#0b5cad"
                data-value={b.value}
                data-count={b.count}
              />
              <text x={labelWidth + x(b.count) + 4} y={y + barHeight - 5}>
                {formatCount(b.count)}
              </text>
            </g>
          );
        })}
        {ticks(max).map((t) => (
          <text key={t} x={labelWidth + x(t)} y={height - 4} textAnchor="middle">
            {formatCount(t)}
          </text>
        ))}
      </svg>
    </figure>
  );
}
