import { linePath, xOf, yOf, type PlotBox } from '../../lib/plot';
import { UnitAxes } from './axes';

/**
 * The ROC curve (false positive rate across, true positive rate up) with the chance diagonal.
 * The SVG is an image whose name says the AUC and both intervals; the points are listed in a
 * table beside it for screen readers. The API gives no thresholds, so none is drawn.
 */
export function RocChart({ points, summary }: { points: readonly { x: number; y: number }[]; summary: string }) {
  const box: PlotBox = { left: 48, top: 10, width: 260, height: 260 };
  return (
    <svg width={320} height={314} role="img" aria-label={`ROC curve: ${summary}`} data-chart="roc">
      <UnitAxes box={box} xTitle="False positive rate (1 − specificity)" yTitle="True positive rate (sensitivity)" />
      <line x1={xOf(box, 0)} y1={yOf(box, 0)} x2={xOf(box, 1)} y2={yOf(box, 1)} stroke="#6a737d" strokeDasharray="4 4" data-line="chance" />
      <path d={linePath(box, points)} fill="none" stroke="#0b5cad" strokeWidth={2} data-line="roc" />
    </svg>
  );
}
