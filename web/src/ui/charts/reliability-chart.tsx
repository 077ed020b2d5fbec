import type { ReliabilityRow } from '../../lib/evaluation-view';
import { formatFigure, xOf, yOf, type PlotBox } from '../../lib/plot';
import { UnitAxes } from './axes';

/**
 * The reliability diagram: per score bin, a bar as wide as the bin up to the observed positive
 * rate, and the mean score as a dot; the diagonal is perfect calibration. Bins below the
 * minimum size have no bar (the API gives their count only). The table beside it has the figures.
 */
export function ReliabilityChart({ rows, ece }: { rows: readonly ReliabilityRow[]; ece: number }) {
  const box: PlotBox = { left: 48, top: 10, width: 260, height: 260 };
  const drawn = rows.filter((r) => r.observedRate !== null && r.meanScore !== null);
  const description =
    `expected calibration error ${formatFigure(ece)}; ` +
    (drawn
      .map((r) => `scores ${r.range}: mean score ${formatFigure(r.meanScore)}, observed rate ${formatFigure(r.observedRate)}`)
      .join('; ') || 'no bin holds enough cases to show');
  return (
    <svg width={320} height={314} role="img" aria-label={`Reliability diagram: ${description}`} data-chart="reliability">
      <UnitAxes box={box} xTitle="Model score" yTitle="Observed positive rate" />
      <line x1={xOf(box, 0)} y1={yOf(box, 0)} x2={xOf(box, 1)} y2={yOf(box, 1)} stroke="#6a737d" strokeDasharray="4 4" />
      {drawn.map((r) => (
        <g key={r.range} data-bin={r.range} data-observed={r.observedRate!} data-mean={r.meanScore!}>
          <rect
            x={xOf(box, r.lower) + 1}
            y={yOf(box, r.observedRate!)}
            width={Math.max(1, xOf(box, r.upper) - xOf(box, r.lower) - 2)}
            height={yOf(box, 0) - yOf(box, r.observedRate!)}
            fill="#0b5cad"
            fillOpacity={0.75}
          />
          <circle cx={xOf(box, r.meanScore!)} cy={yOf(box, r.meanScore!)} r={3} fill="#b31d28" />
        </g>
      ))}
    </svg>
  );
}
