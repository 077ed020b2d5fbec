/**
 * One file through the engine, read whole and written as header chunks plus a
 * view of the input's Pixel Data (no joined copy): the unit of work of a
 * `hilum deid` worker, also callable in-process.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writevSync } from 'node:fs';
import { dirname } from 'node:path';
import { unwrittenChunks } from '../../layers/common/bytes';
// The engine itself, not the deidentify/ index: the index validates the shipped profiles as it loads (zod), which
// a worker, handed its profile already checked, would pay for at every start: the one place past layers/dicom/index.ts.
/* eslint-disable no-restricted-imports -- a worker's start time, see above */
import { deidentifyFile } from '../../layers/dicom/deidentify/engine';
import { DicomParseError } from '../../layers/dicom/errors';
/* eslint-enable no-restricted-imports */
import type { FileResult, FileTask, WorkerSetup } from './deid-protocol';

/** Opens for writing, making the folder only when it is missing (one mkdir per folder, not one per file). */
function openForWrite(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (error) {
    // Not `instanceof Error`: fs errors come from Node's own realm, which differs from the caller's under jest.
    if ((error as { code?: unknown } | null)?.code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'w');
  }
}

function writeChunks(path: string, chunks: readonly Uint8Array[]): void {
  const fd = openForWrite(path);
  try {
    let pending = chunks.filter((c) => c.byteLength > 0);
    while (pending.length > 0) {
      // writev may write part of the list; continue from where it stopped.
      pending = unwrittenChunks(pending, writevSync(fd, pending as NodeJS.ArrayBufferView[]));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * One input buffer per worker, grown to the largest file seen and reused: the
 * output's Pixel Data chunk is a view of it, written before the next read, so
 * a worker holds about one file at a time instead of leaving a trail of
 * buffers for the garbage collector (the per-worker memory budget).
 */
let scratch = Buffer.allocUnsafe(0);

function readWhole(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > scratch.byteLength) scratch = Buffer.allocUnsafe(Math.max(size, Math.floor(scratch.byteLength * 1.25)));
    let read = 0;
    while (read < size) {
      const n = readSync(fd, scratch, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return scratch.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** A reason safe to print and store: DicomParseError messages are value-free by design; anything else is named only. */
export function failureReason(error: unknown): string {
  if (error instanceof DicomParseError) return error.message;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return `file system error ${error.code}`;
  return `internal error (${error instanceof Error ? error.name : 'unknown'})`;
}

export function deidentifyOneFile(task: FileTask, setup: WorkerSetup): FileResult {
  let bytesIn = 0;
  try {
    const bytes = readWhole(task.input);
    bytesIn = bytes.byteLength;
    const out = deidentifyFile(bytes, { secret: setup.secret, project: setup.project, site: setup.site }, setup.profile);
    const target = out.outcome === 'ok' ? task.output : task.reviewOutput;
    try {
      writeChunks(target, out.chunks);
    } catch (error) {
      rmSync(target, { force: true });
      throw error;
    }
    return {
      index: task.index,
      outcome: out.outcome,
      bytesIn,
      bytesOut: out.byteLength,
      actionCounts: out.actionCounts,
      pixelReview: [...out.pixelReview],
    };
  } catch (error) {
    return { index: task.index, outcome: 'failed', bytesIn, reason: failureReason(error) };
  }
}
