import { closeSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The files a delete takes out of the local S3's store (an object's file, its MD5 and metadata files), kept to be
 * written again as a later PUT's instead of creating new ones. On this ext4 (no journal) creating a file
 * costs the kernel a walk over every free inode of the folder's block group deleted in the last minute or five
 * (`recently_deleted`, run on each it passes): a CT slice's two PUTs created six files and the delete of its original
 * freed three, so each create cost more the longer an ingest ran (~0.05 ms on a quiet group, ~0.7-1 ms after a few
 * hundred slices), most of the emulator thread's CPU per slice, in the kernel. Rewriting a kept file costs ~0.02 ms
 * and frees nothing; it also rewrites page-cache pages already there instead of taking new ones.
 *
 * Larger files (a radiograph's 10 MB: the original a site uploaded, deleted once its copy is released) are kept too,
 * apart, up to a total size, and rewritten only with bodies over the small limit: writing 10 MB into a new file cost
 * the emulator's file pool ~16 ms of CPU here (the kernel taking and filling new page-cache pages, ~1.6 ms per MB in
 * `copy_folio_from_iter_atomic` as this virtual machine's memory comes in), into a kept one ~1-3 ms.
 *
 * What a kept file holds until it is rewritten, or the emulator stops (`discard`) or starts again (the folder
 * emptied), is a deleted object's bytes (an intake original, with its PHI): it stays in the data directory meanwhile,
 * under no store name, never served.
 *
 * A kept file is never readable under a store name while it is rewritten: it leaves the store by a rename into a
 * folder beside it (`<store>-spare`, outside it, so s3rver never lists it as a bucket), is rewritten there and renamed
 * into place whole, as a new file would be. What could see another object's bytes is a reader that opened it by its
 * old name before the delete and reads it after the rewrite, so readers that keep a file open across asynchronous
 * calls say when they begin and end (`readerStarted`): s3rver's requests, and the direct object path's GETs; a kept
 * file is reused only once every reader that began before its delete has ended.
 */
export interface SpareFiles {
  /** A reader that may open store files and read them later has begun; call the answer when it has ended. */
  readerStarted(): () => void;
  /** Takes `file` out of the store (as unlinking it would), keeping it if it is small; false if there was no such file. */
  retire(file: string): boolean;
  /**
   * A kept file that may be rewritten now with a body of `size` bytes (default: a small one), out of the pool: the
   * caller opens it (`r+`), writes and truncates it, and renames it into place, or unlinks it. Undefined if there is
   * none of the body's kind (small or large).
   */
  take(size?: number): string | undefined;
  /** Writes `content` into a kept file and renames it to `target`, whole; false, having written nothing under a store name, if none may be reused yet. */
  writeAs(target: string, content: string): boolean;
  /** Unlinks every kept file (the store stopping: what a delete removed does not outlive the emulator's run). */
  discard(): void;
}

export interface SpareFilesOptions {
  /** Files kept at most; a delete beyond this unlinks (default 1,024). */
  readonly limit?: number;
  /** A file up to this size is small: kept among `limit` and rewritten with small bodies (default 1 MiB: a CT slice). */
  readonly sizeLimit?: number;
  /** A larger file up to this size is large: kept apart and rewritten with larger bodies (default 64 MiB, the direct path's largest). */
  readonly largeSizeLimit?: number;
  /** Large files' sizes kept at most in all; a delete beyond this unlinks (default 256 MiB). */
  readonly largeBytes?: number;
}

interface Kept {
  readonly file: string;
  /** The tick of its delete: reusable once no reader begun before it is still running. */
  readonly at: number;
  readonly size: number;
}

/** Keeps files in `folder`, which it empties first (what an earlier run kept is not known to be unread). */
export function createSpareFiles(folder: string, options: SpareFilesOptions = {}): SpareFiles {
  const limit = options.limit ?? 1024;
  const sizeLimit = options.sizeLimit ?? 1024 * 1024;
  const largeSizeLimit = options.largeSizeLimit ?? 64 * 1024 * 1024;
  const largeBytes = options.largeBytes ?? 256 * 1024 * 1024;
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const kept: Kept[] = [];
  const keptLarge: Kept[] = [];
  let largeKeptBytes = 0;
  /** Readers running, by the tick each began at (a Map keeps them in the order they began). */
  const readers = new Map<number, true>();
  let ticks = 0;
  let names = 0;

  const oldestReader = (): number => {
    for (const at of readers.keys()) return at;
    return Infinity;
  };

  const take = (size = 0): string | undefined => {
    const pool = size > sizeLimit ? keptLarge : kept;
    const next = pool[0];
    if (!next || next.at > oldestReader()) return undefined;
    pool.shift();
    if (pool === keptLarge) largeKeptBytes -= next.size;
    return next.file;
  };

  return {
    readerStarted() {
      const at = ++ticks;
      readers.set(at, true);
      return () => void readers.delete(at);
    },

    retire(file) {
      const spare = path.join(folder, (names++).toString(36));
      try {
        renameSync(file, spare);
      } catch {
        // No such file, or the folder gone or on another file system: deleted as before.
        return unlinked(file);
      }
      const size = statSync(spare).size;
      if (size <= sizeLimit && kept.length < limit) kept.push({ file: spare, at: ++ticks, size });
      else if (size > sizeLimit && size <= largeSizeLimit && largeKeptBytes + size <= largeBytes) {
        keptLarge.push({ file: spare, at: ++ticks, size });
        largeKeptBytes += size;
      } else unlinked(spare);
      return true;
    },

    take,

    discard() {
      for (const { file } of [...kept.splice(0), ...keptLarge.splice(0)]) unlinkQuietly(file);
      largeKeptBytes = 0;
    },

    writeAs(target, content) {
      const bytes = Buffer.from(content, 'utf8');
      const spare = take(bytes.length);
      if (spare === undefined) return false;
      try {
        const fd = openSync(spare, 'r+');
        try {
          let at = 0;
          while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at, at);
          ftruncateSync(fd, bytes.length);
        } finally {
          closeSync(fd);
        }
        renameSync(spare, target);
        return true;
      } catch {
        // The target's folder went away, say: the caller's new file meets the same error and reports it.
        unlinkQuietly(spare);
        return false;
      }
    },
  };
}

/** Unlinks a file that may already be gone. */
export function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function unlinked(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** By store directory, its kept files: the direct object path and s3rver's patched store share them. */
const sparesOfStore = new Map<string, SpareFiles>();

/** New kept files for a store starting (`<store>-spare`, emptied), shared from now on through `spareFilesOf`. */
export function keepSpareFiles(storeDirectory: string, options?: SpareFilesOptions): SpareFiles {
  const directory = path.resolve(storeDirectory);
  const spares = createSpareFiles(`${directory}-spare`, options);
  sparesOfStore.set(directory, spares);
  return spares;
}

/** The kept files of a store started in this thread, if any (none: files are deleted as before). */
export function spareFilesOf(storeDirectory: string): SpareFiles | undefined {
  return sparesOfStore.get(path.resolve(storeDirectory));
}
