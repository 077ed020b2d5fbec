/**
 * Messages between the offline check (cli/lib/check-lanes.ts) and its worker threads. Findings and facts are
 * strings and numbers; no file's bytes cross (a worker reads its files by path).
 */
import type { ProjectKey } from '../../layers/ingest/process-instance';
import type { QaConfig } from '../../layers/qa';
import type { CheckedFile } from './check-file';

export interface CheckSetup {
  readonly config: QaConfig;
  /** The run's key: every lane de-identifies with the same one, as the serial check does. */
  readonly key: ProjectKey;
}

export interface CheckTask {
  readonly index: number;
  readonly path: string;
  readonly fileId: string;
  readonly order: string;
}

/** A file checked, or the error its check threw (which ends the check, as it does on the main thread). */
export type CheckResult = ({ readonly index: number } & CheckedFile) | { readonly index: number; readonly error: string };

/**
 * To a worker: its setup (first), then chunks of files when it asks, then `stop` once the check has no more for
 * it: it stops its OCR worker (if an at-risk image started one) and answers `stopped`.
 */
export type ToCheckWorker =
  | { readonly type: 'setup'; readonly setup: CheckSetup }
  | { readonly type: 'tasks'; readonly tasks: readonly CheckTask[] }
  | { readonly type: 'stop' };

/**
 * From a worker: results (its first message, the answer to its setup, has none and asks for files; later it asks
 * before its queue runs dry, so it does not wait for a round trip), or `stopped`.
 */
export type FromCheckWorker =
  { readonly type: 'results'; readonly results: readonly CheckResult[]; readonly wantsMore: boolean } | { readonly type: 'stopped' };
