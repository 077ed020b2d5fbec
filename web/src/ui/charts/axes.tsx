import { formatFigure, proportionTicks, xOf, yOf, type PlotBox } from '../../lib/plot';

/**
 * The axes of a unit-square chart: gridlines and tick labels at 0, 0.25, ..., 1 on both sides
 * and the axis titles. Decoration for sighted readers: each chart's figures are also in words.
 */
export function UnitAxes({ box, xTitle, yTitle }: { box: PlotBox; xTitle: string; yTitle: string }) {
  const ticks = proportionTicks();
  const bottom = box.top + box.height;
  return (
    <g aria-hidden="true">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={xOf(box, t)} x2={xOf(box, t)} y1={box.top} y2={bottom} stroke="#e1e4e8" />
          <line x1={box.left} x2={box.left + box.width} y1={yOf(box, t)} y2={yOf(box, t)} stroke="#e1e4e8" />
          <text x={xOf(box, t)} y={bottom + 14} textAnchor="middle">
            {formatFigure(t, 2)}
          </text>
          <text x={box.left - 6} y={yOf(box, t) + 4} textAnchor="end">
            {formatFigure(t, 2)}
          </text>
        </g>
      ))}
      <line x1={box.left} x2={box.left + box.width} y1={bottom} y2={bottom} stroke="#1b1f24" />
      <line x1={box.left} x2={box.left} y1={box.top} y2={bottom} stroke="#1b1f24" />
      <text x={box.left + box.width / 2} y={bottom + 30} textAnchor="middle">
        {xTitle}
      </text>
      <text transform={`translate(12 ${box.top + box.height / 2}) rotate(-90)`} textAnchor="middle">
        {yTitle}
      </text>
    </g>
  );
}
