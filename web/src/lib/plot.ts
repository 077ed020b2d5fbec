/**
 * Geometry of the portal's proportion charts (ROC curve, reliability diagram, AUC intervals,
 * distance trends): values in [0, 1] onto pixels, SVG paths, and how the figures are written.
 * No DOM here, so the charts' numbers are unit-tested.
 */

export interface PlotBox {
  /** Left and top margins (axis labels live there), and the plot's own width and height. */
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** x in [0, 1] to pixels, left to right; values outside are clamped (a CI clipped at 1 stays on the plot). */
export function xOf(box: PlotBox, value: number): number {
  return box.left + clamp01(value) * box.width;
}

/** y in [0, 1] to pixels, bottom to top (SVG's y grows downwards). */
export function yOf(box: PlotBox, value: number): number {
  return box.top + (1 - clamp01(value)) * box.height;
}

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** An SVG path through points of [0, 1] x [0, 1], in the order given; '' for none. */
export function linePath(box: PlotBox, points: readonly { readonly x: number; readonly y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(xOf(box, p.x))},${round(yOf(box, p.y))}`).join(' ');
}

/** Ticks of a proportion axis: 0, 0.25, 0.5, 0.75, 1 by default. */
export function proportionTicks(steps = 4): number[] {
  return Array.from({ length: steps + 1 }, (_, i) => i / steps);
}

/** A proportion, AUC or distance with a fixed number of decimals ('—' when the API has none). */
export function formatFigure(value: number | null | undefined, decimals = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(decimals);
}

/** A difference with its sign (+0.050, −0.120): fairness measures read as above or below the reference. */
export function formatSigned(value: number | null | undefined, decimals = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = Math.abs(value).toFixed(decimals);
  if (Number(text) === 0) return text;
  return `${value > 0 ? '+' : '−'}${text}`;
}

/** A share as a percentage with one decimal. */
export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** The x position of each of `count` evenly spaced points across the box (one point: the middle). */
export function spreadX(box: PlotBox, count: number): number[] {
  if (count <= 1) return count === 1 ? [box.left + box.width / 2] : [];
  return Array.from({ length: count }, (_, i) => round(box.left + (i / (count - 1)) * box.width));
}

const round = (n: number) => Math.round(n * 10) / 10;
