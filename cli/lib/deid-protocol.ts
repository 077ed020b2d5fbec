/** Messages between `hilum deid` and its worker threads. Reasons and counts only: no DICOM value crosses. */
import type { DeidProfile } from '../../layers/dicom';

export interface WorkerSetup {
  secret: string;
  project: string;
  site: string;
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
  | {
      index: number;
      outcome: 'ok' | 'needs-pixel-review';
      bytesIn: number;
      bytesOut: number;
      actionCounts: Record<string, number>;
      pixelReview: string[];
    }
  | { index: number; outcome: 'failed'; bytesIn: number; reason: string };

export interface WorkerReport {
  /** Peak of this worker's own heap and buffers (V8 heap used + external + array buffers), sampled as it works. */
  peakMemoryBytes: number;
}

/**
 * To a worker: its setup (first, before any file), then more files. A worker
 * is stopped, not told, when the batch has no more for it.
 * Files come in chunks when a worker asks, and it asks for the next chunk
 * before its queue runs dry, so it never waits for a round trip through the
 * main thread.
 */
export type ToWorker = { type: 'setup'; setup: WorkerSetup } | { type: 'tasks'; tasks: FileTask[] };

/**
 * From a worker: the results finished since its last message (sent when it
 * wants more files, when its queue is empty, or every few tens of
 * milliseconds for the progress bar), with its peak memory so far (fresh when
 * its queue is empty, so the main thread can stop it then without asking).
 * Its first message, its answer to the setup, has no results and asks for files.
 */
export type FromWorker = { type: 'results'; results: FileResult[]; wantsMore: boolean } & WorkerReport;
