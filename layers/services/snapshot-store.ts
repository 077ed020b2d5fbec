/**
 * Where search snapshots live: immutable, versioned objects in the released bucket
 * (`catalog/snapshot/{version}.hsnp.gz`; a release's frozen copy under
 * `catalog/releases/{n}/`), and the live version pointer in the catalog table
 * (a conditional write, so two rebuilds cannot both win).
 *
 * The search function keeps the live snapshot in memory between invocations and
 * checks the pointer at most every SEARCH_SNAPSHOT_TTL_MS (default 5 s), so a new
 * publication is searchable within seconds and an idle function costs one GetItem
 * per interval, not an S3 read.
 */
import type { SnapshotPointer } from '../catalog/commons-entities';
import { SnapshotMoved } from '../adapters/aws/dynamodb/publication-repository';
import { buildSnapshot, decodeSnapshot, encodeSnapshot, mergeRows, type Snapshot, snapshotRows, type StudyRow } from '../search';
import { keepingRecent } from '../common/recent-cache';
import { buckets, objects, publicationRepository } from './commons-context';

export const snapshotKey = (version: number) => `catalog/snapshot/${String(version).padStart(9, '0')}.hsnp.gz`;
export const releaseSnapshotKey = (release: number) => `catalog/releases/${release}/snapshot.hsnp.gz`;

export class SnapshotMissing extends Error {
  override readonly name = 'SnapshotMissing';
}

export async function readSnapshot(key: string): Promise<Snapshot> {
  const bytes = await objects().getBytes(buckets.released(), key);
  if (!bytes) throw new SnapshotMissing('a search snapshot object is missing');
  return decodeSnapshot(bytes);
}

export async function writeSnapshot(key: string, snapshot: Snapshot): Promise<number> {
  const bytes = encodeSnapshot(snapshot);
  await objects().put(buckets.released(), key, bytes, { contentType: 'application/octet-stream', metadata: { studies: String(snapshot.count) } });
  return bytes.byteLength;
}

/** The live snapshot's rows and the version they came from (for a rebuild). */
export async function liveRows(): Promise<{ version?: number; rows: StudyRow[] }> {
  const pointer = await publicationRepository().getSnapshotPointer();
  if (!pointer) return { rows: [] };
  return { version: pointer.version, rows: snapshotRows(await readSnapshot(pointer.key)) };
}

/** Writes rows as the next live version and moves the pointer (SnapshotMoved if someone else did first). */
export async function publishLive(rows: readonly StudyRow[], expected: number | undefined): Promise<SnapshotPointer> {
  const snapshot = buildSnapshot(rows);
  const version = (expected ?? 0) + 1;
  const pointer: SnapshotPointer = { version, key: snapshotKey(version), studies: snapshot.count, builtAt: new Date().toISOString() };
  await writeSnapshot(pointer.key, snapshot);
  await publicationRepository().swapSnapshotPointer(expected, pointer);
  // Keep the previous version (a search function may be loading it right now); older ones go.
  if (version > 2) await objects().delete(buckets.released(), snapshotKey(version - 2));
  return pointer;
}

/**
 * Publishes `rows` merged onto `base` (by default the live snapshot as read now) as the next
 * live version; when a concurrent rebuild moved the pointer first (SnapshotMoved), merges onto
 * the winner's rows instead, at most `retries` more times.
 */
export async function publishMergedLive(rows: readonly StudyRow[], retries: number, base?: { version?: number; rows: StudyRow[] }): Promise<SnapshotPointer> {
  let onto = base ?? await liveRows();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await publishLive(mergeRows(onto.rows, rows), onto.version);
    } catch (error) {
      if (!(error instanceof SnapshotMoved) || attempt >= retries) throw error;
      onto = await liveRows();
    }
  }
}

// ---- the search function's in-memory copies ------------------------------------------------------

const EMPTY = buildSnapshot([]);
let live: { version: number; snapshot: Snapshot } | undefined;
let checkedAt = 0;

/** How long a cached pointer (and project list) is trusted: SEARCH_SNAPSHOT_TTL_MS, default 5 s. */
export function cacheTtlMs(): number {
  const raw = Number(process.env.SEARCH_SNAPSHOT_TTL_MS ?? 5000);
  return Number.isFinite(raw) && raw >= 0 ? raw : 5000;
}

/** The live snapshot, reloaded only when the pointer's version changed. */
export async function liveSnapshot(): Promise<{ version: number; snapshot: Snapshot }> {
  const now = Date.now();
  if (live && now - checkedAt < cacheTtlMs()) return live;
  const pointer = await publicationRepository().getSnapshotPointer();
  checkedAt = now;
  if (!pointer) return (live = { version: 0, snapshot: EMPTY });
  if (live?.version !== pointer.version) live = { version: pointer.version, snapshot: await readSnapshot(pointer.key) };
  return live;
}

/** An immutable snapshot (a release's), kept once loaded; the two most recent stay in memory. */
export const frozenSnapshot = keepingRecent(2, readSnapshot);
