/**
 * Where search snapshots live: immutable, versioned objects in the released bucket
 * (`catalog/snapshot/{version}-{attempt}.hsnp.gz`; a release's frozen copy under
 * `catalog/releases/{n}/`), and the live version pointer in the catalog table
 * (a conditional write, so two rebuilds cannot both win).
 *
 * The search function keeps the live snapshot in memory between invocations and
 * checks the pointer at most every SEARCH_SNAPSHOT_TTL_MS (default 5 s), so a new
 * publication is searchable within seconds and an idle function costs one GetItem
 * per interval, not an S3 read.
 */
import { randomUUID } from 'node:crypto';
import type { SnapshotPointer } from '../catalog/commons-entities';
import { SnapshotMoved } from '../adapters/aws/dynamodb/publication-repository';
import { buildSnapshot, decodeSnapshot, encodeSnapshot, mergeRows, type Snapshot, snapshotRows, type StudyRow } from '../search';
import { keepingRecent } from '../common/recent-cache';
import { buckets, objects, publicationRepository } from './commons-context';

const LIVE_PREFIX = 'catalog/snapshot/';
/**
 * A live snapshot object's key: its version and the attempt that wrote it. Two rebuilds
 * racing for the same version write two objects, so the loser of the pointer swap never
 * overwrites the object the winner's pointer names.
 */
export const snapshotKey = (version: number, attempt: string) => `${LIVE_PREFIX}${String(version).padStart(9, '0')}-${attempt}.hsnp.gz`;
/** The version a live snapshot key was written for (keys without an attempt, `{version}.hsnp.gz`, came before). */
const versionOfKey = (key: string): number | undefined => {
  const match = /^catalog\/snapshot\/(\d{9})[-.]/.exec(key);
  return match ? Number(match[1]) : undefined;
};
/** A release's frozen snapshot: the cut's own key (its attempt), named by the release record. */
export const releaseSnapshotKey = (release: number, attempt: string) => `catalog/releases/${release}/snapshot-${attempt}.hsnp.gz`;

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
  await objects().put(buckets.released(), key, bytes, {
    contentType: 'application/octet-stream',
    metadata: { studies: String(snapshot.count) },
  });
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
  const pointer: SnapshotPointer = {
    version,
    key: snapshotKey(version, randomUUID()),
    studies: snapshot.count,
    builtAt: new Date().toISOString(),
  };
  await writeSnapshot(pointer.key, snapshot);
  try {
    await publicationRepository().swapSnapshotPointer(expected, pointer);
  } catch (error) {
    if (!(error instanceof SnapshotMoved)) throw error;
    // A swap whose success was lost and whose retry then failed its condition also lands here:
    // the object goes only when the pointer does not name it.
    if ((await publicationRepository().getSnapshotPointer())?.key !== pointer.key) {
      await objects().delete(buckets.released(), pointer.key);
      throw error;
    }
  }
  await deleteLiveObjectsBefore(version - 1);
  return pointer;
}

/**
 * Deletes live snapshot objects of versions before `keep`: the previous version stays (a
 * search function may be loading it right now), and so does any object of it or later,
 * which a rebuild in progress may be about to name. Objects a crashed or losing rebuild
 * left behind go with the versions they were written for. Releases' frozen snapshots live
 * under another prefix and are never touched.
 */
async function deleteLiveObjectsBefore(keep: number): Promise<void> {
  const released = buckets.released();
  for (const key of await objects().listKeys(released, LIVE_PREFIX)) {
    const version = versionOfKey(key);
    if (version !== undefined && version < keep) await objects().delete(released, key);
  }
}

/**
 * Publishes `rows` merged onto `base` (by default the live snapshot as read now) as the next
 * live version; when a concurrent rebuild moved the pointer first (SnapshotMoved), merges onto
 * the winner's rows instead, at most `retries` more times.
 */
export async function publishMergedLive(
  rows: readonly StudyRow[],
  retries: number,
  base?: { version?: number; rows: StudyRow[] },
): Promise<SnapshotPointer> {
  let onto = base ?? (await liveRows());
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
