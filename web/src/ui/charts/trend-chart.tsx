import { formatFigure, spreadX, yOf, type PlotBox } from '../../lib/plot';

/**
 * A small line chart of one distance across releases (release numbers across, 0-1 up); a
 * release where no case could be compared is a gap. The table beside it has the figures.
 */
export function TrendChart({ title, points }: { title: string; points: readonly { release: number; distance: number | null }[] }) {
  const box: PlotBox = { left: 40, top: 8, width: 200, height: 90 };
  const xs = spreadX(box, points.length);
  const segments: string[] = [];
  let open = false;
  points.forEach((p, i) => {
    if (p.distance === null) {
      open = false;
      return;
    }
    segments.push(`${open ? 'L' : 'M'}${xs[i]},${yOf(box, p.distance)}`);
    open = true;
  });
  const description = points.map((p) => `release ${p.release}: ${formatFigure(p.distance)}`).join('; ');
  return (
    <svg width={260} height={130} role="img" aria-label={`${title}: ${description}`} data-chart={title}>
      <g aria-hidden="true">
        {[0, 0.5, 1].map((t) => (
          <g key={t}>
            <line x1={box.left} x2={box.left + box.width} y1={yOf(box, t)} y2={yOf(box, t)} stroke="#e1e4e8" />
            <text x={box.left - 4} y={yOf(box, t) + 4} textAnchor="end">
              {formatFigure(t, 1)}
            </text>
          </g>
        ))}
        {points.map((p, i) => (
          <text key={p.release} x={xs[i]} y={box.top + box.height + 16} textAnchor="middle">
            {p.release}
          </text>
        ))}
      </g>
      <path d={segments.join(' ')} fill="none" stroke="#0b5cad" strokeWidth={2} />
      {points.map((p, i) =>
        p.distance === null ? null : (
          <circle
            key={p.release}
            cx={xs[i]}
            cy={yOf(box, p.distance)}
            r={3}
            fill="#0b5cad"
            data-release={p.release}
            data-distance={p.distance}
          />
        ),
      )}
    </svg>
  );
}
