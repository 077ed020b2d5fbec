import { formatFigure, xOf, type PlotBox } from '../../lib/plot';
import type { SubgroupBar } from '../../lib/evaluation-view';

/**
 * Subgroups' AUC as horizontal bars on [0, 1] with their 95% CI as whiskers; a subgroup
 * without an AUC (one class only) is named with the reason, and suppressed subgroups are a
 * note in words under the bars, never a bar. `description` is the chart's text alternative.
 */
export function IntervalChart({
  title,
  bars,
  note,
  description,
}: {
  title: string;
  bars: readonly SubgroupBar[];
  note: string | undefined;
  description: string;
}) {
  const rowHeight = 22;
  const box: PlotBox = { left: 130, top: 4, width: 220, height: Math.max(1, bars.length) * rowHeight };
  const height = box.top + box.height + 20;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg width={400} height={height} role="img" aria-label={`${title}: ${description}`} data-chart={title}>
        {[0, 0.5, 1].map((t) => (
          <g key={t} aria-hidden="true">
            <line x1={xOf(box, t)} x2={xOf(box, t)} y1={box.top} y2={box.top + box.height} stroke="#e1e4e8" />
            <text x={xOf(box, t)} y={height - 4} textAnchor="middle">
              {formatFigure(t, 1)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const y = box.top + i * rowHeight;
          const middle = y + rowHeight / 2;
          return (
            <g key={b.label} data-subgroup={b.label} data-auc={b.kind === 'auc' ? b.auc : undefined}>
              <text x={box.left - 6} y={middle + 4} textAnchor="end">
                {b.label.length > 16 ? `${b.label.slice(0, 15)}…` : b.label} ({b.cases})
              </text>
              {b.kind === 'auc' ? (
                <>
                  <rect x={box.left} y={y + 4} width={Math.max(1, xOf(box, b.auc) - box.left)} height={rowHeight - 8} fill="#0b5cad" />
                  <line x1={xOf(box, b.lower)} x2={xOf(box, b.upper)} y1={middle} y2={middle} stroke="#1b1f24" strokeWidth={1.5} />
                  <line x1={xOf(box, b.lower)} x2={xOf(box, b.lower)} y1={middle - 5} y2={middle + 5} stroke="#1b1f24" />
                  <line x1={xOf(box, b.upper)} x2={xOf(box, b.upper)} y1={middle - 5} y2={middle + 5} stroke="#1b1f24" />
                  <text x={box.left + box.width + 4} y={middle + 4}>
                    {formatFigure(b.auc, 2)}
                  </text>
                </>
              ) : (
                <text x={box.left + 4} y={middle + 4}>
                  no AUC: {b.why}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {note && <p className="suppressed">{note}</p>}
    </figure>
  );
}
