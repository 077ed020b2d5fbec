import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  promises as fs,
  read as fsRead,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writevSync,
  type Stats,
} from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { unwrittenChunks } from '../../layers/common/bytes';
import { replyS3Error } from './s3-front';
import { createReadBuffers, type ReadBuffers } from './s3-read-buffers';
import { unlinkQuietly, type SpareFiles } from './s3-spare-files';

/**
 * The local S3's direct object path: the requests the pipeline makes per instance (a plain GET, ranged or
 * not, HEAD, PUT and DELETE of one object) answered straight from s3rver's store on disk, in s3rver's own
 * layout and with its answers, without its koa middleware chain, router and filesystem store. Per request
 * that saves most of the emulator thread's JavaScript and about ten file system calls: a HEAD is one `stat`,
 * a GET `open`, `fstat`, one `read` and `close`, as each object's ETag and metadata are remembered (below).
 *
 * Everything else goes to s3rver as before (`serve` answers false before it reads anything): a request with a
 * query beyond a presigned URL's, conditional and copy headers, a storage class, a key with empty, `.` or `..`
 * segments; and any GET or HEAD that does not find its object and sidecar files as s3rver left them (a missing
 * key or bucket, a missing MD5 file, an unsatisfiable range), so errors keep s3rver's shape and rules.
 *
 * A PUT into an SSE-KMS bucket is stored with an opaque ETag rather than its MD5, as S3 stores it (`sseKmsBuckets`);
 * a PUT with Content-MD5 or x-amz-checksum-sha256 has it checked (and the latter answered), as S3 does and s3rver
 * does not; with a SHA-256 checksum, a signed payload hash is checked too (the same pass).
 *
 * Remembered entries: each object's metadata and MD5 (its sidecar files), kept with the object file's inode,
 * size and modification time, and used only while the file still matches them. Every write of the store,
 * this path's and s3rver's (`forgetObject`, called from the store's hooks in `s3.ts`), replaces or drops the
 * entry, and a read that raced a write does not store what it read. The files on disk stay the truth: a
 * restart starts with nothing remembered.
 */

/** s3rver's names: `<key's last segment>._S3rver_object`, `.md5` beside it, `._S3rver_metadata.json`. */
const OBJECT_SUFFIX = '._S3rver_object';
const METADATA_SUFFIX = '._S3rver_metadata.json';

/** s3rver's stored metadata: these headers of the PUT (in this order), then every `x-amz-meta-*` one. */
const ALLOWED_METADATA = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-type',
  'expires',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
] as const;

/**
 * The query parameters of a presigned URL (the SDK's presigner adds `X-Amz-Content-Sha256`, and checksum
 * parameters, which s3rver ignores as it ignores the headers), and the SDK's `x-id`: a request with any
 * other goes to s3rver.
 */
const PLAIN_QUERY = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Content-Sha256',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'x-id',
  'x-amz-sdk-checksum-algorithm',
  'x-amz-checksum-mode',
]);
const CHECKSUM_QUERY = /^x-amz-checksum-[a-z0-9]+$/;

/** Headers s3rver acts on that this path leaves to it. */
const PUT_LEFT_TO_S3RVER = ['x-amz-copy-source', 'x-amz-storage-class', 'x-amz-website-redirect-location'];

/** A body up to this size is collected in memory and written with one call; a larger one goes to s3rver. */
const COLLECTED_BODY_LIMIT = 64 * 1024 * 1024;
const WHOLE_READ_LIMIT = 16 * 1024 * 1024;
/**
 * A body up to this size is written (PUT) and read (GET) with synchronous calls on this thread, as the small
 * sidecar files always are: each promise-based file call costs the process several times the call itself (a hop to
 * libuv's pool and back, a promise), ~1.4-1.8 against ~0.8-0.9 ms of CPU for a 0.5 MB PUT and its GET measured apart,
 * where the page-cache copy of such a body is ~0.1 ms. Larger bodies keep the pool, so the thread never waits on a
 * 10 MB copy (or on fresh page-cache pages, up to ~16 ms per 10 MB on this machine).
 */
const SYNCHRONOUS_BODY_LIMIT = 1024 * 1024;

export interface ObjectPathEvent {
  readonly kind: 'created' | 'removed';
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  readonly etag?: string;
}

export interface DirectObjectPathOptions {
  /** s3rver's store directory. */
  readonly directory: string;
  /** Called for every object created or removed here, before the answer, as s3rver emits its events. */
  readonly onEvent: (event: ObjectPathEvent) => void;
  /**
   * Resolves once the calling thread has received what the emulator posted it so far (a request's count, an
   * event): awaited before each answer, so that a client never holds an answer whose count or event its thread
   * has not (this path answers within microseconds, before a worker's messages may have arrived).
   */
  readonly delivered?: () => Promise<void>;
  /** An object up to this size is read with one call and sent in one piece, a larger one streamed (default 16 MiB). */
  readonly wholeReadLimit?: number;
  /**
   * Buckets whose default encryption is SSE-KMS (the commons' data buckets in AWS): S3 gives their objects an
   * ETag that is not the MD5 of the data, so this path computes no MD5 for a PUT into one, unless the request
   * sends Content-MD5 (checked as S3 checks it), and stores an opaque ETag instead. Elsewhere the ETag is the
   * MD5, as s3rver's and S3's without SSE-KMS.
   */
  readonly sseKmsBuckets?: ReadonlySet<string>;
  /** Where objects read in one piece are read into (default: up to four buffers kept between answers). */
  readonly readBuffers?: ReadBuffers;
  /** A body up to this size is written and read with synchronous file calls (default 1 MiB; `SYNCHRONOUS_BODY_LIMIT`). */
  readonly synchronousBodyLimit?: number;
  /** Where a DELETE keeps its object's files for a later PUT's (`s3-spare-files.ts`); without, they are unlinked. */
  readonly spares?: SpareFiles;
}

export interface DirectObjectPath {
  /** Answers the request and resolves true, or resolves false having read nothing (s3rver answers it). */
  serve(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

interface Remembered {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** The answer's headers for the whole object, Content-Length included. */
  readonly headers: Readonly<Record<string, string | number>>;
}

/** By object file: what is remembered of it, or a mark left by a write (a number) so that older reads do not store theirs. */
const remembered = new Map<string, Remembered | number>();
let writes = 0;
const REMEMBERED_LIMIT = 200_000;

/** Drops what is remembered of an object file; every writer of the store calls it once its write is done. */
export function forgetObject(objectFile: string): void {
  if (remembered.size >= REMEMBERED_LIMIT) remembered.clear();
  remembered.set(objectFile, ++writes);
}

/** Drops everything remembered under a folder (a bucket deleted). */
export function forgetFolder(folder: string): void {
  const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
  for (const file of [...remembered.keys()]) if (file.startsWith(prefix)) forgetObject(file);
  for (const known of [...knownFolders]) if (known === folder || known.startsWith(prefix)) knownFolders.delete(known);
}

/** Folders (buckets and key prefixes) known to exist: s3rver's store no longer removes them (`keepFoldersOnDelete`). */
const knownFolders = new Set<string>();

const tempPrefix = `${randomBytes(4).toString('hex')}${process.pid.toString(16)}`;
let temps = 0;
/** A name beside `target` for writing aside (`*.partial`, which listings skip and `repairStore` removes). */
function asideOf(target: string): string {
  temps += 1;
  return `${target}.${tempPrefix}${temps.toString(16)}.partial`;
}

export function createDirectObjectPath(options: DirectObjectPathOptions): DirectObjectPath {
  const directory = path.resolve(options.directory);
  const wholeReadLimit = options.wholeReadLimit ?? WHOLE_READ_LIMIT;
  const sseKmsBuckets = options.sseKmsBuckets ?? new Set<string>();
  const readBuffers = options.readBuffers ?? createReadBuffers();
  const synchronousBodyLimit = options.synchronousBodyLimit ?? SYNCHRONOUS_BODY_LIMIT;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const target = targetOf(req.url ?? '/');
    if (!target) return false;
    const objectFile = path.join(directory, target.bucket, ...target.folders, `${target.name}${OBJECT_SUFFIX}`);
    switch (req.method) {
      case 'GET':
      case 'HEAD':
        return read(req, res, target, objectFile);
      case 'PUT':
        return put(req, res, target, objectFile);
      case 'DELETE':
        return remove(res, target, objectFile);
      default:
        return false;
    }
  }

  async function read(req: IncomingMessage, res: ServerResponse, target: Target, objectFile: string): Promise<boolean> {
    for (const name of Object.keys(req.headers)) if (name.startsWith('if-')) return false;
    const range = rangeOf(req.headers.range);
    if (range === null) return false;
    const head = req.method === 'HEAD';
    // A GET may hold the file open across asynchronous reads: no file deleted from now on is rewritten until it ends.
    const ended = head ? undefined : options.spares?.readerStarted();
    // Opened and sized synchronously (no data moves): a descriptor, owned here until closed or handed to a stream.
    let fd: number | undefined;
    try {
      const stats = head ? statOrUndefined(objectFile) : openWithStats(objectFile);
      if (!stats) return false;
      if (!head) fd = (stats as OpenStats).fd;
      const entry = entryOf(objectFile, stats);
      if (!entry) return false;
      const size = entry.size;
      let status = 200;
      let headers = entry.headers;
      let start = 0;
      let end = size - 1;
      if (range) {
        start = range.start;
        end = Math.min(range.end ?? Infinity, size - 1);
        if (size === 0 || end < start) return false; // s3rver answers InvalidRange
        status = 206;
        headers = { ...headers, 'Content-Length': end + 1 - start, 'Content-Range': `bytes ${start}-${end}/${size}` };
      }
      await options.delivered?.();
      res.writeHead(status, headers);
      if (head || end < start) {
        res.end();
        return true;
      }
      const length = end + 1 - start;
      if (length <= wholeReadLimit) {
        const lent = readBuffers.borrow(length);
        // Sent (or dropped with its connection): nothing reads the buffer any more.
        res.once('close', () => readBuffers.giveBack(lent));
        const body = lent.subarray(0, length);
        const at = length <= synchronousBodyLimit ? readWholeSync(fd!, body, start) : await readWhole(fd!, body, start);
        if (at < length)
          res.destroy(); // the file shrank under us: never a short body under a longer Content-Length
        else res.end(body);
      } else {
        const stream = createReadStream('', {
          fd: fd!,
          start,
          end,
          highWaterMark: Math.min(wholeReadLimit, 1024 * 1024),
          autoClose: true,
        });
        fd = undefined;
        await pipeline(stream, res).catch(() => res.destroy());
      }
      return true;
    } finally {
      if (fd !== undefined) closeQuietly(fd);
      ended?.();
    }
  }

  async function put(req: IncomingMessage, res: ServerResponse, target: Target, objectFile: string): Promise<boolean> {
    for (const name of PUT_LEFT_TO_S3RVER) if (req.headers[name] !== undefined) return false;
    const announced = Number(req.headers['content-length']);
    if (!Number.isSafeInteger(announced) || announced < 0 || announced > COLLECTED_BODY_LIMIT) return false;
    if (!(await folderExists(path.join(directory, target.bucket)))) return false; // s3rver answers NoSuchBucket

    // From here on the request is this path's.
    const md5Header = req.headers['content-md5'];
    const contentMd5 = Array.isArray(md5Header) ? md5Header.join(',') : md5Header;
    if (contentMd5 !== undefined && !isMd5Base64(contentMd5)) {
      replyS3Error(req, res, { status: 400, code: 'InvalidDigest', message: 'The Content-MD5 you specified was invalid.' });
      return true;
    }
    const checksum = singleHeader(req.headers['x-amz-checksum-sha256']);
    if (checksum !== undefined && !isSha256Base64(checksum)) {
      replyS3Error(req, res, { status: 400, code: 'InvalidRequest', message: 'Value for x-amz-checksum-sha256 header is invalid.' });
      return true;
    }
    // ~1.5 ms of this thread's CPU per MB (a radiograph's original and its released copy: ~30 ms) where S3 computes none.
    const md5 = contentMd5 !== undefined || !sseKmsBuckets.has(target.bucket) ? createHash('md5') : undefined;
    // S3 checks a body against the SHA-256 checksum it was sent (~0.7 ms per MB here); only then.
    const sha256 = checksum !== undefined ? createHash('sha256') : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        md5?.update(chunk);
        sha256?.update(chunk);
        chunks.push(chunk);
        size += chunk.length;
      }
    } catch {
      // The client went away mid-body: nothing is stored.
      res.destroy();
      return true;
    }
    if (size !== announced || !req.complete) {
      res.destroy();
      return true;
    }
    const digest = md5?.digest();
    if (contentMd5 !== undefined && !digest!.equals(Buffer.from(contentMd5, 'base64'))) {
      replyS3Error(req, res, { status: 400, code: 'BadDigest', message: 'The Content-MD5 you specified did not match what we received.' });
      return true;
    }
    const bodySha256 = sha256?.digest();
    if (bodySha256 && !bodySha256.equals(Buffer.from(checksum!, 'base64'))) {
      replyS3Error(req, res, {
        status: 400,
        code: 'BadDigest',
        message: 'The SHA256 you specified did not match the calculated checksum.',
      });
      return true;
    }
    // The signed payload hash, when it is the body's digest too (one pass checks both): S3 checks it for any signed body.
    const payloadHash = singleHeader(req.headers['x-amz-content-sha256']);
    if (bodySha256 && payloadHash !== undefined && /^[0-9a-f]{64}$/.test(payloadHash) && payloadHash !== bodySha256.toString('hex')) {
      replyS3Error(req, res, {
        status: 400,
        code: 'XAmzContentSHA256Mismatch',
        message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
      });
      return true;
    }
    const etag = sseKmsBuckets.has(target.bucket) ? opaqueEtag() : digest!.toString('hex');
    const folder = path.dirname(objectFile);
    if (!knownFolders.has(folder)) {
      await fs.mkdir(folder, { recursive: true });
      knownFolders.add(folder);
    }
    const stats =
      size <= synchronousBodyLimit
        ? writeAsideSync(objectFile, chunks, options.spares)
        : await writeAside(objectFile, chunks, options.spares);
    const metadata = storedMetadataOf(req);
    writeSidecars(objectFile, etag, metadata, options.spares);
    remembered.set(objectFile, rememberedOf(stats, etag, metadata));
    options.onEvent({ kind: 'created', bucket: target.bucket, key: target.key, size, etag });
    await options.delivered?.();
    res.writeHead(200, {
      ETag: JSON.stringify(etag),
      // As S3 answers a PUT sent with a checksum: the checksum it verified and stored, and its type.
      ...(checksum !== undefined ? { 'x-amz-checksum-sha256': checksum, 'x-amz-checksum-type': 'FULL_OBJECT' } : {}),
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': 0,
    });
    res.end();
    return true;
  }

  async function remove(res: ServerResponse, target: Target, objectFile: string): Promise<boolean> {
    if (!(await folderExists(path.join(directory, target.bucket)))) return false;
    const spares = options.spares;
    const existed = spares
      ? spares.retire(objectFile)
      : await fs.unlink(objectFile).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return false;
            throw error;
          },
        );
    if (existed) {
      const sidecars = [`${objectFile}.md5`, metadataFileOf(objectFile)];
      if (spares) for (const file of sidecars) spares.retire(file);
      else await Promise.all(sidecars.map((file) => fs.unlink(file).catch(ignoreMissing)));
      forgetObject(objectFile);
      options.onEvent({ kind: 'removed', bucket: target.bucket, key: target.key });
    }
    await options.delivered?.();
    res.writeHead(204);
    res.end();
    return true;
  }

  return { serve };
}

interface Target {
  readonly bucket: string;
  readonly key: string;
  readonly folders: readonly string[];
  readonly name: string;
}

/**
 * The bucket and key of a path-style object request this path serves, or undefined: another query, a key that
 * is not a plain path of non-empty segments (s3rver's router and `path.join` treat those its own way).
 */
export function targetOf(url: string): Target | undefined {
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  if (q >= 0) {
    for (const pair of url.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      if (!PLAIN_QUERY.has(name) && !CHECKSUM_QUERY.test(name)) return undefined;
    }
  }
  const slash = pathname.indexOf('/', 1);
  if (pathname[0] !== '/' || slash < 0) return undefined;
  const bucket = pathname.slice(1, slash);
  let key: string;
  try {
    key = decodeURIComponent(pathname.slice(slash + 1));
  } catch {
    return undefined;
  }
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(bucket) || key.includes('\0') || key.includes('\\')) return undefined;
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  const name = segments.pop() as string;
  return { bucket, key, folders: segments, name };
}

/** `bytes=N-` or `bytes=N-M` (M >= N); undefined without a Range header; null for any other form (s3rver's). */
export function rangeOf(header: string | undefined): { start: number; end?: number } | undefined | null {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header);
  if (!match) return null;
  const start = Number(match[1]);
  if (match[2] === '') return { start };
  const end = Number(match[2]);
  return end >= start ? { start, end } : null;
}

interface OpenStats extends Stats {
  readonly fd: number;
}

function openWithStats(file: string): OpenStats | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    return Object.assign(fstatSync(fd), { fd });
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or never valid: nothing more to release
  }
}

/** Reads `body.length` bytes from `position` (fewer if the file ends first); answers how many were read. */
function readWholeSync(fd: number, body: Buffer, position: number): number {
  let at = 0;
  while (at < body.length) {
    const bytesRead = readSync(fd, body, at, body.length - at, position + at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return at;
}

/** The same through libuv's pool, for bodies above the synchronous limit. */
async function readWhole(fd: number, body: Buffer, position: number): Promise<number> {
  let at = 0;
  while (at < body.length) {
    const bytesRead = await new Promise<number>((resolve, reject) =>
      fsRead(fd, body, at, body.length - at, position + at, (error, n) => (error ? reject(error) : resolve(n))),
    );
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return at;
}

/** The remembered entry if it still matches the file, else one read from the sidecars; undefined if they are not as s3rver writes them. */
function entryOf(objectFile: string, stats: Stats): Remembered | undefined {
  const known = remembered.get(objectFile);
  if (typeof known === 'object' && known.ino === stats.ino && known.size === stats.size && known.mtimeMs === stats.mtimeMs) return known;
  // Read with synchronous calls: a few hundred bytes each, and nothing between a file's open and its read, so a
  // sidecar deleted and rewritten as another object's (`s3-spare-files.ts`) is never read half-way by this path.
  const metadata = readSmallFile(metadataFileOf(objectFile), (text) => JSON.parse(text) as Record<string, string>);
  const md5 = readSmallFile(`${objectFile}.md5`, (text) => text);
  // No metadata file: s3rver serves defaults; no or an empty MD5 file: s3rver computes it. Both are its to answer.
  if (!metadata || typeof metadata !== 'object' || !md5) return undefined;
  const entry = rememberedOf(stats, md5, metadata);
  // A write since this read began left its mark: what was read may be older than the file.
  if (remembered.get(objectFile) === known) remembered.set(objectFile, entry);
  return entry;
}

/** A small file's text made into a value; undefined if it cannot be read or made into one. */
function readSmallFile<T>(file: string, parse: (text: string) => T): T | undefined {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function rememberedOf(stats: Stats, md5: string, stored: Readonly<Record<string, string>>): Remembered {
  // s3rver's answer: Accept-Ranges, its allowed headers (a default Content-Type), Last-Modified, ETag, Content-Length, x-amz-meta-*.
  const headers: Record<string, string | number> = { 'Accept-Ranges': 'bytes' };
  for (const name of ALLOWED_METADATA) if (stored[name] !== undefined) headers[capitalized(name)] = stored[name];
  headers['Content-Type'] ??= 'binary/octet-stream';
  headers['Last-Modified'] = stats.mtime.toUTCString();
  headers.ETag = JSON.stringify(md5);
  headers['Content-Length'] = stats.size;
  for (const [name, value] of Object.entries(stored)) if (name.startsWith('x-amz-meta-')) headers[name] = value;
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, headers };
}

/** s3rver's capitalizeHeader for the allowed metadata names. */
function capitalized(name: string): string {
  if (name.startsWith('x-amz-')) return name;
  return name
    .split('-')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('-');
}

/** What s3rver stores of a PUT's headers, in its order (`S3Object` and `putMetadata`). */
export function storedMetadataOf(req: Pick<IncomingMessage, 'headers'>): Record<string, string> {
  const stored: Record<string, string> = {};
  for (const name of ALLOWED_METADATA) {
    const value = req.headers[name];
    if (typeof value === 'string') stored[name] = value;
  }
  stored['content-type'] ??= 'binary/octet-stream';
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) stored[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return stored;
}

function metadataFileOf(objectFile: string): string {
  return objectFile.slice(0, -OBJECT_SUFFIX.length) + METADATA_SUFFIX;
}

async function folderExists(folder: string): Promise<boolean> {
  if (knownFolders.has(folder)) return true;
  const stats = await fs.stat(folder).catch(() => undefined);
  if (!stats?.isDirectory()) return false;
  knownFolders.add(folder);
  return true;
}

/**
 * Writes the chunks aside and renames the file into place, whole or not at all; returns the written file's stats.
 * Into a kept file when there is one for a body of this size (`s3-spare-files.ts`).
 */
async function writeAside(target: string, chunks: readonly Buffer[], spares?: SpareFiles): Promise<Stats> {
  const spare = spares?.take(chunksLength(chunks));
  if (spare !== undefined) return writeIntoSpare(spare, target, chunks);
  const temporary = asideOf(target);
  let handle: fs.FileHandle | undefined;
  try {
    try {
      handle = await fs.open(temporary, 'w');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // The folder went away behind the store's back.
      knownFolders.delete(path.dirname(target));
      await fs.mkdir(path.dirname(target), { recursive: true });
      handle = await fs.open(temporary, 'w');
    }
    let pending = chunks.filter((c) => c.length > 0);
    while (pending.length > 0) {
      const { bytesWritten } = await handle.writev(pending);
      pending = unwrittenChunks(pending, bytesWritten);
    }
    const stats = await handle.stat();
    await handle.close();
    handle = undefined;
    await fs.rename(temporary, target);
    return stats;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** writeAside into a kept file (rewritten in its own folder, truncated to the body, renamed into place whole). */
async function writeIntoSpare(spare: string, target: string, chunks: readonly Buffer[]): Promise<Stats> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(spare, 'r+');
    let pending = chunks.filter((c) => c.length > 0);
    while (pending.length > 0) {
      const { bytesWritten } = await handle.writev(pending);
      pending = unwrittenChunks(pending, bytesWritten);
    }
    // A kept file may be longer than this body.
    await handle.truncate(chunksLength(chunks));
    const stats = await handle.stat();
    await handle.close();
    handle = undefined;
    renameSpare(spare, target);
    return stats;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    unlinkQuietly(spare);
    throw error;
  }
}

/** writeAside with synchronous calls, for bodies up to the synchronous limit; into a kept file if there is one. */
function writeAsideSync(target: string, chunks: readonly Buffer[], spares?: SpareFiles): Stats {
  const spare = spares ? openSpare(spares, chunksLength(chunks)) : undefined;
  const temporary = spare?.file ?? asideOf(target);
  let fd: number | undefined = spare?.fd;
  try {
    if (fd === undefined) {
      try {
        fd = openSync(temporary, 'w');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // The folder went away behind the store's back.
        knownFolders.delete(path.dirname(target));
        mkdirSync(path.dirname(target), { recursive: true });
        fd = openSync(temporary, 'w');
      }
    }
    let pending = chunks.filter((c) => c.length > 0);
    while (pending.length > 0) pending = unwrittenChunks(pending, writevSync(fd, pending));
    // A kept file may be longer than this body.
    if (spare) ftruncateSync(fd, chunksLength(chunks));
    const stats = fstatSync(fd);
    closeSync(fd);
    fd = undefined;
    if (spare) renameSpare(temporary, target);
    else renameSync(temporary, target);
    return stats;
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // never created, or already gone
    }
    throw error;
  }
}

/** A kept file opened for rewriting, or undefined (none may be reused yet, or it could not be opened: dropped). */
function openSpare(spares: SpareFiles, size: number): { readonly file: string; readonly fd: number } | undefined {
  const file = spares.take(size);
  if (file === undefined) return undefined;
  try {
    return { file, fd: openSync(file, 'r+') };
  } catch {
    unlinkQuietly(file);
    return undefined;
  }
}

function chunksLength(chunks: readonly Buffer[]): number {
  let n = 0;
  for (const chunk of chunks) n += chunk.length;
  return n;
}

/** A kept file (written in its own folder) renamed into place, its folder made again if it went away behind the store's back. */
function renameSpare(spare: string, target: string): void {
  try {
    renameSync(spare, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    knownFolders.delete(path.dirname(target));
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(spare, target);
  }
}

/**
 * s3rver's MD5 and metadata files, each written aside and renamed into place, with synchronous calls: a few hundred
 * bytes each, where each promise-based call (four per file) costs more than the write. Into files a delete kept
 * when there are any (`s3-spare-files.ts`): creating a file costs more than writing it.
 */
function writeSidecars(objectFile: string, md5: string, metadata: Readonly<Record<string, string>>, spares?: SpareFiles): void {
  const files: Array<[string, string]> = [
    [`${objectFile}.md5`, md5],
    [metadataFileOf(objectFile), JSON.stringify(metadata, null, 2)],
  ];
  for (const [target, content] of files) {
    if (spares?.writeAs(target, content)) continue;
    const temporary = asideOf(target);
    try {
      writeFileSync(temporary, content);
      renameSync(temporary, target);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // never created, or already gone
      }
      throw error;
    }
  }
}

/** A header sent once, as a string (a repeated one joined, as Node joins it). */
function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** An x-amz-checksum-sha256 header as S3 takes it: the base64 of 32 bytes. */
function isSha256Base64(value: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(value);
}

/** A Content-MD5 header as S3 takes it: the base64 of 16 bytes. */
function isMd5Base64(value: string): boolean {
  return /^[A-Za-z0-9+/]{22}==$/.test(value);
}

/** An SSE-KMS object's ETag: 32 hex digits, as S3's, that name this write and say nothing of the data. */
export function opaqueEtag(): string {
  return randomBytes(16).toString('hex');
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
