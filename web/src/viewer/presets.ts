/**
 * Window/level presets (window width and centre, in the image's output units: Hounsfield for
 * CT), and the voiRange Cornerstone takes for them. 'image' is the instance's own window
 * (radiographs carry theirs), restored by resetting the viewport's properties.
 */
export interface WindowPreset {
  readonly id: string;
  readonly label: string;
  readonly width?: number;
  readonly center?: number;
}

export const PRESETS: readonly WindowPreset[] = [
  { id: 'ct-lung', label: 'CT lung', width: 1500, center: -600 },
  { id: 'ct-mediastinum', label: 'CT mediastinum', width: 350, center: 50 },
  { id: 'radiograph', label: 'Radiograph (image window)' },
];

export function voiRangeOf(preset: WindowPreset): { lower: number; upper: number } | undefined {
  if (preset.width === undefined || preset.center === undefined) return undefined;
  return { lower: preset.center - preset.width / 2, upper: preset.center + preset.width / 2 };
}

/** The next image index for a scroll of `delta` images, kept inside the stack. */
export function scrolledIndex(current: number, delta: number, count: number): number {
  if (count <= 0) return 0;
  return Math.min(count - 1, Math.max(0, current + delta));
}
