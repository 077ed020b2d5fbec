/** Messages between `hilum deid` and its worker threads. Reasons and counts only: no DICOM value crosses. */
import type { DeidProfile } from '../../layers/dicom/profiles';

export interface WorkerSetup {
  secret: string;
  project: string;
  profile: DeidProfile;
}

export interface FileTask {
  index: number;
  input: string;
  /** Where an ok result goes. */
  output: string;
  /** Where a needs-pixel-review result goes. */
  reviewOutput: string;
}

export type FileResult =
  | { index: number; outcome: 'ok' | 'needs-pixel-review'; bytesIn: number; bytesOut: number; actionCounts: Record<string, number>; pixelReview: string[] }
  | { index: number; outcome: 'failed'; bytesIn: number; reason: string };

export interface WorkerReport {
  /** Peak of this worker's own heap and buffers (V8 heap used + external + array buffers), sampled after each file. */
  peakMemoryBytes: number;
}
