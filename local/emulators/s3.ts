import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LocalCredentials } from '../credentials';
import type { LocalBucket } from '../template/local-model';
import { LOCAL_ACCOUNT, LOCAL_PARTITION, LOCAL_REGION } from '../template/names';
import { busEvent, type BusEvent } from '../event-bus';
import { listenOnLoopback } from '../listen';
import { createS3Front } from './s3-front';
import { createDirectObjectPath, forgetFolder, forgetObject, opaqueEtag, type ObjectPathEvent } from './s3-objects';
import { keepSpareFiles, spareFilesOf } from './s3-spare-files';
import type { S3CorsRule } from './s3-cors';
import { SigV4Verifier } from './sigv4';
import { startS3InWorker } from './s3-thread';
import type { UsageMeter } from '../usage-meter';

/**
 * S3 on s3rver, behind a front that verifies SigV4 on every request (header-signed or
 * presigned; see `sigv4.ts`) before s3rver sees it. s3rver itself listens nowhere: the
 * front, bound to 127.0.0.1, hands verified requests to s3rver's request handler on its
 * thread, so bodies stream straight through and s3rver's events still fire. That thread is
 * by default a worker of its own (`s3-thread.ts`), off the thread that runs the handlers. S3 →
 * EventBridge notifications for the buckets that have them enabled in the template are
 * converted to the EventBridge "Object Created" / "Object Deleted" shape.
 *
 * CORS follows each bucket's rules from the template, as S3 does (the released bucket lets any
 * page GET and HEAD with a presigned URL); the origins given (default none) may also use every
 * method on every bucket, as a local portal needs.
 *
 * Clients must use `forcePathStyle: true` and
 * `requestChecksumCalculation/responseChecksumValidation: 'WHEN_REQUIRED'`
 * (s3rver cannot store aws-chunked bodies; the front refuses them).
 */

// s3rver ships no types; this is the part of it used here.
interface S3rverInstance {
  middleware: Array<(ctx: KoaContext, next: () => Promise<unknown>) => Promise<unknown>>;
  on(event: 'event', listener: (event: S3NotificationEvent) => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  configureBuckets(): Promise<void>;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  store: { deleteSubresource(bucket: string, key: undefined, type: string): Promise<void> };
  logger?: { close(): void };
}
interface KoaContext {
  readonly res: ServerResponse;
  readonly method: string;
  readonly query: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
  readonly ip: string;
}
interface S3NotificationEvent {
  Records: Array<{
    eventName: string;
    eventTime: string;
    requestParameters?: { sourceIPAddress?: string };
    responseElements?: Record<string, string>;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string } };
  }>;
}

export interface S3EmulatorOptions {
  readonly dataDir: string;
  readonly buckets: Iterable<LocalBucket>;
  /** The only key the front accepts. */
  readonly credentials: LocalCredentials;
  readonly port?: number;
  /** Browser origins (`http://localhost:5173`) CORS allows on every bucket, before the bucket's own rules; default none. */
  readonly corsOrigins?: readonly string[];
  /** Receives EventBridge-shaped events for buckets with EventBridge notifications on. */
  readonly onEvent?: (event: BusEvent) => void;
  /** In a worker: resolves once the calling thread has received every count and event posted so far (s3-worker-main.ts). */
  readonly delivered?: () => Promise<void>;
  readonly log?: (message: string) => void;
  /** Counts requests by S3 price class (bench cost). */
  readonly meter?: Pick<UsageMeter, 's3Request'>;
  /**
   * Where the emulator runs: `worker` (default), its own worker thread, so its HTTP server, signature
   * checks, s3rver and file I/O leave the calling thread (the commons' one JavaScript thread, which runs
   * the handlers); `main`, on the calling thread. Default from HILUM_S3_THREAD.
   */
  readonly thread?: S3Thread;
  /**
   * Plain object GET/HEAD/PUT/DELETE answered from the store directly (`s3-objects.ts`), the rest by s3rver
   * (default); false: every request by s3rver. Default from HILUM_S3_DIRECT_OBJECTS (`0` turns it off).
   */
  readonly directObjects?: boolean;
}

export type S3Thread = 'worker' | 'main';

export interface S3Emulator {
  readonly endpoint: string;
  readonly port: number;
  /**
   * Adds a browser origin to the local rule on every bucket, once the emulator runs: the portal's origin
   * is the API's address, known only when the API listens.
   */
  allowOrigin(origin: string): void;
  /** CPU time the emulator's thread used so far (in a worker: that thread's; else the calling thread's, all of it). */
  threadCpuUsage(): Promise<NodeJS.CpuUsage>;
  stop(): Promise<void>;
}

interface RequestInfo {
  readonly method: string;
  readonly multipart: boolean;
  readonly requestId: string;
}

export async function startS3(options: S3EmulatorOptions): Promise<S3Emulator> {
  const thread = options.thread ?? s3ThreadOf(process.env.HILUM_S3_THREAD);
  return thread === 'worker' ? startS3InWorker(options) : startS3OnThisThread(options);
}

/** HILUM_S3_THREAD: `main` or `worker` (unset: worker). */
export function s3ThreadOf(value: string | undefined): S3Thread {
  if (value === undefined || value === '' || value === 'worker') return 'worker';
  if (value === 'main') return 'main';
  throw new Error(`HILUM_S3_THREAD must be 'worker' or 'main'`);
}

/** The emulator on the calling thread (what its worker thread runs, `s3-worker-main.ts`). */
export async function startS3OnThisThread(options: S3EmulatorOptions): Promise<S3Emulator> {
  const log = options.log ?? (() => undefined);
  const directory = path.join(options.dataDir, 's3');
  await fs.mkdir(directory, { recursive: true });
  const buckets = [...options.buckets];
  const notifying = new Set(buckets.filter((b) => b.eventBridge).map((b) => b.name));

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
  keepFoldersOnDelete();
  writeObjectsAside();
  sseKmsBucketsOfStore.set(directory, new Set(buckets.filter((b) => b.sseKms).map((b) => b.name)));
  rememberBucketConfigurations();
  const repaired = await repairStore(directory);
  if (repaired > 0) log(`s3: removed ${repaired} half-written files a crash left in ${directory}`);
  const spares = keepSpareFiles(directory);
  // s3rver checks no SigV4 signature, only that the access key is one it knows.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);
  const server = new S3rver({
    directory,
    silent: true,
    // Real bucket names resolve only as paths on 127.0.0.1.
    vhostBuckets: false,
    configureBuckets: buckets.map((b) => ({ name: b.name, configs: [] })),
  });
  dropRequestLogger(server.middleware);
  await server.configureBuckets();
  // The front answers CORS; a bucket CORS config (earlier versions set `*`) would make s3rver add its own.
  await Promise.all(buckets.map((b) => server.store.deleteSubresource(b.name, undefined, 'cors')));

  // s3rver's event does not say which request made it; the request's async context does
  // (the event is emitted synchronously inside the request handler).
  const requests = new AsyncLocalStorage<RequestInfo>();
  server.middleware.unshift((ctx, next) =>
    requests.run(
      { method: ctx.method, multipart: ctx.query.uploadId !== undefined, requestId: randomBytes(8).toString('hex').toUpperCase() },
      next,
    ),
  );
  // s3rver reads the store's files asynchronously, and streams a GET's body after its handler returns: no file
  // deleted while one of its requests runs is rewritten as another's (s3-spare-files.ts) before it has answered.
  server.middleware.unshift(async (ctx, next) => {
    const ended = spares.readerStarted();
    let running = 2;
    const done = () => {
      if (--running === 0) ended();
    };
    ctx.res.once('close', done);
    try {
      await next();
    } finally {
      done();
    }
  });
  server.on('error', () => undefined); // s3rver reports request errors to the client already

  server.on('event', (notification) => {
    if (!options.onEvent) return;
    for (const record of notification.Records ?? []) {
      const bucket = record.s3.bucket.name;
      if (!notifying.has(bucket)) continue;
      try {
        const event = toEventBridge(record, requests.getStore());
        if (event) options.onEvent(event);
      } catch (error) {
        log(`s3: could not convert an ${record.eventName} notification: ${error instanceof Error ? error.name : 'Error'}`);
      }
    }
  });

  const direct =
    (options.directObjects ?? process.env.HILUM_S3_DIRECT_OBJECTS !== '0')
      ? createDirectObjectPath({
          directory,
          sseKmsBuckets: new Set(buckets.filter((b) => b.sseKms).map((b) => b.name)),
          spares,
          ...(options.delivered ? { delivered: options.delivered } : {}),
          onEvent: (event) => {
            if (!options.onEvent || !notifying.has(event.bucket)) return;
            try {
              options.onEvent(directEvent(event));
            } catch (error) {
              log(`s3: could not deliver an object ${event.kind} notification: ${error instanceof Error ? error.name : 'Error'}`);
            }
          },
        })
      : undefined;

  // One list shared by every bucket's local rule, so allowOrigin() reaches them all.
  const localOrigins = [...(options.corsOrigins ?? [])];
  const front = createS3Front({
    verifier: new SigV4Verifier({ credentials: options.credentials, region: LOCAL_REGION, services: ['s3'], s3: true }),
    bucketCors: new Map(buckets.map((b) => [b.name, [localOriginsRule(localOrigins), ...b.cors]])),
    handle: server.callback(),
    ...(direct ? { direct: direct.serve } : {}),
    log,
    ...(options.meter ? { meter: options.meter } : {}),
  });
  const { port, stop } = await listenOnLoopback(front, options.port);
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    allowOrigin: (origin) => {
      if (!localOrigins.includes(origin)) localOrigins.push(origin);
    },
    threadCpuUsage: () => Promise.resolve(process.threadCpuUsage()),
    // Once nothing listens, the files deletes kept go too: deleted objects (intake originals) do not outlive the run.
    stop: () => (stopped ??= stop().then(() => (spares.discard(), server.logger?.close()))),
  };
}

/**
 * s3rver logs every response through koa-logger even when silent: a coloured line formatted per
 * request (and a counting stream around bodies of unknown length) for a logger that prints nothing.
 * Removes it; returns whether it was there. (koa-logger's function is named `logger`; esbuild, bundling
 * the worker, renames it `logger2` and the like.)
 */
export function dropRequestLogger(middleware: Array<{ readonly name: string }>): boolean {
  const at = middleware.findIndex((m) => /^logger\d*$/.test(m.name));
  if (at < 0) return false;
  middleware.splice(at, 1);
  return true;
}

/** The rule a local portal's origins get on every bucket; while `origins` is empty it matches no request. */
function localOriginsRule(origins: readonly string[]): S3CorsRule {
  return {
    AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD', 'DELETE'],
    AllowedOrigins: origins,
    AllowedHeaders: ['*'],
    ExposedHeaders: ['ETag', 'x-amz-request-id'],
    MaxAge: 3000,
  };
}

const REASONS: Record<string, string> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
  'ObjectCreated:Post': 'PostObject',
};

/** An S3 notification record as the EventBridge event S3 sends for it. */
export function toEventBridge(record: S3NotificationEvent['Records'][number], request?: RequestInfo): BusEvent | undefined {
  const bucket = record.s3.bucket.name;
  const object = record.s3.object;
  let eventName = record.eventName;
  // s3rver names a completed multipart upload `ObjectCreated:Post`, like a form POST.
  if (eventName === 'ObjectCreated:Post' && request?.multipart) eventName = 'ObjectCreated:CompleteMultipartUpload';
  const common = {
    version: '0',
    bucket: { name: bucket },
    'request-id': request?.requestId ?? record.responseElements?.['x-amz-request-id'] ?? randomBytes(8).toString('hex').toUpperCase(),
    requester: LOCAL_ACCOUNT,
    'source-ip-address': record.requestParameters?.sourceIPAddress ?? '127.0.0.1',
  };
  const sequencer = object.sequencer ?? Date.now().toString(16).toUpperCase();
  const resources = [`arn:${LOCAL_PARTITION}:s3:::${bucket}`];
  const time = new Date(record.eventTime);
  if (eventName.startsWith('ObjectCreated:')) {
    return busEvent({
      source: 'aws.s3',
      detailType: 'Object Created',
      resources,
      time,
      detail: {
        ...common,
        object: {
          key: object.key,
          ...(object.size !== undefined && Number.isFinite(object.size) ? { size: object.size } : {}),
          ...(object.eTag ? { etag: object.eTag } : {}),
          sequencer,
        },
        reason: REASONS[eventName] ?? 'PutObject',
      },
    });
  }
  if (eventName.startsWith('ObjectRemoved:')) {
    return busEvent({
      source: 'aws.s3',
      detailType: 'Object Deleted',
      resources,
      time,
      detail: { ...common, object: { key: object.key, sequencer }, reason: 'DeleteObject', 'deletion-type': 'Permanently Deleted' },
    });
  }
  return undefined;
}

/** An object created or removed by the direct path as the EventBridge event S3 sends for it (as s3rver's would be). */
function directEvent(event: ObjectPathEvent): BusEvent {
  const created = event.kind === 'created';
  const converted = toEventBridge(
    {
      eventName: created ? 'ObjectCreated:Put' : 'ObjectRemoved:Delete',
      eventTime: new Date().toISOString(),
      s3: {
        bucket: { name: event.bucket },
        object: {
          key: event.key,
          ...(created ? { size: event.size, eTag: event.etag } : {}),
          sequencer: Date.now().toString(16).toUpperCase(),
        },
      },
    },
    { method: created ? 'PUT' : 'DELETE', multipart: false, requestId: randomBytes(8).toString('hex').toUpperCase() },
  );
  if (!converted) throw new Error('not an object event');
  return converted;
}

interface FilesystemStoreLike {
  prototype: {
    readonly rootDirectory: string;
    deleteObject(bucket: string, key: string): Promise<void>;
    getResourcePath(bucket: string, key: string, resource: string): string;
  };
}

/**
 * s3rver removes a key's parent folders when a delete leaves them empty; a PUT
 * into the same prefix at that moment (the pipeline deleting one intake object
 * while a site uploads the next) loses its folder between mkdir and open, and
 * s3rver's write stream has no error handler, so the whole process crashes.
 * Deleting only the object's files, and keeping the folders, removes the race.
 */
function keepFoldersOnDelete(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const store = require('s3rver/lib/stores/filesystem') as FilesystemStoreLike;
  store.prototype.deleteObject = async function deleteObject(
    this: FilesystemStoreLike['prototype'],
    bucket: string,
    key: string,
  ): Promise<void> {
    // Kept for a later PUT's files (s3-spare-files.ts), the object's file first, as the direct path's DELETE does.
    const spares = spareFilesOf(this.rootDirectory);
    for (const resource of ['object', 'object.md5', 'metadata.json']) {
      const file = this.getResourcePath(bucket, key, resource);
      if (spares) spares.retire(file);
      else await fs.unlink(file).catch(ignoreMissing);
    }
    forgetObject(this.getResourcePath(bucket, key, 'object'));
  };
}

interface SubresourceStoreLike {
  prototype: {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown>;
    putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
    deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
    deleteBucket(bucket: string): Promise<void>;
  };
}

/** Bucket configurations (`cors.xml`, `website.xml`) as last read or written by this thread, by file. */
const bucketConfigurations = new Map<string, Promise<unknown>>();

/**
 * s3rver reads the bucket's CORS and website configurations from disk on every request (two failed
 * file reads each, as the local commons configures neither: its front answers CORS), ~0.1 ms of CPU a
 * request. Remembered per file until this thread writes or deletes it; the emulator's thread is the
 * only writer of its store.
 */
export function rememberBucketConfigurations(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const store = require('s3rver/lib/stores/filesystem') as SubresourceStoreLike;
  const proto = store.prototype;
  if ((proto.getSubresource as { remembered?: true }).remembered) return;
  const { getSubresource, putSubresource, deleteSubresource, deleteBucket } = proto;
  const fileOf = (self: SubresourceStoreLike['prototype'], bucket: string, type: string) =>
    self.getResourcePath(bucket, undefined, `${type}.xml`);
  const remembered: SubresourceStoreLike['prototype']['getSubresource'] = function (
    this: SubresourceStoreLike['prototype'],
    bucket,
    key,
    type,
  ) {
    if (key !== undefined || (type !== 'cors' && type !== 'website')) return getSubresource.call(this, bucket, key, type);
    const file = fileOf(this, bucket, type);
    let config = bucketConfigurations.get(file);
    if (!config) {
      config = getSubresource.call(this, bucket, key, type);
      bucketConfigurations.set(file, config);
      // A failed read is not remembered.
      config.catch(() => bucketConfigurations.delete(file));
    }
    return config;
  };
  proto.getSubresource = Object.assign(remembered, { remembered: true as const });
  proto.putSubresource = async function (this: SubresourceStoreLike['prototype'], bucket, key, resource) {
    try {
      await putSubresource.call(this, bucket, key, resource);
    } finally {
      bucketConfigurations.delete(fileOf(this, bucket, resource.type));
    }
  };
  proto.deleteSubresource = async function (this: SubresourceStoreLike['prototype'], bucket, key, type) {
    try {
      await deleteSubresource.call(this, bucket, key, type);
    } finally {
      bucketConfigurations.delete(fileOf(this, bucket, type));
    }
  };
  proto.deleteBucket = async function (this: SubresourceStoreLike['prototype'], bucket) {
    try {
      await deleteBucket.call(this, bucket);
    } finally {
      for (const type of ['cors', 'website']) bucketConfigurations.delete(fileOf(this, bucket, type));
      forgetFolder(path.dirname(fileOf(this, bucket, 'cors')));
    }
  };
}

/**
 * By store directory, its SSE-KMS buckets: a copy into one gets its own opaque ETag, as in S3, where an SSE-KMS
 * object's ETag is not its MD5 and a copy's is not its source's (what compares ETags across a copy must use the
 * copy's answer, as Quarantine's withdrawal does).
 */
const sseKmsBucketsOfStore = new Map<string, ReadonlySet<string>>();

interface WritingStoreLike {
  prototype: {
    readonly rootDirectory: string;
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    getMetadata(bucket: string, key: string): Promise<unknown>;
    putMetadata(bucket: string, key: string, metadata: unknown, md5?: string): Promise<void>;
    copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: unknown): Promise<unknown>;
    putObject(object: {
      bucket: string;
      key: string;
      metadata: unknown;
      content: Buffer | NodeJS.ReadableStream;
    }): Promise<{ size: number; md5: string }>;
    putPart(bucket: string, uploadId: string, partNumber: number, content: NodeJS.ReadableStream): Promise<{ size: number; md5: string }>;
  };
}

/**
 * s3rver writes an upload straight into the object's file and takes it as complete when
 * its hashing stream ends, before the file is flushed; an upload cut short (a body shorter
 * than its Content-Length) leaves a truncated file under the old metadata and a promise that
 * never settles. Written aside and renamed into place once flushed, an object is whole or
 * untouched, and an aborted body fails the request.
 */
export function writeObjectsAside(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const store = require('s3rver/lib/stores/filesystem') as WritingStoreLike;
  // s3rver writes the metadata and MD5 files in place: a kill mid-write left an empty metadata.json, and
  // from then on every listing of the bucket failed (InternalError), the reconciler's included (chaos suite).
  const putMetadata = store.prototype.putMetadata;
  store.prototype.putMetadata = async function atomicPutMetadata(this: WritingStoreLike['prototype'], bucket, key, metadata, md5) {
    const staged = new Map<string, string>();
    const redirected = Object.create(this) as WritingStoreLike['prototype'];
    redirected.getResourcePath = (b, k, resource) => {
      const target = this.getResourcePath(b, k, resource);
      const temporary = `${target}.${randomBytes(6).toString('hex')}.partial`;
      staged.set(temporary, target);
      return temporary;
    };
    try {
      await putMetadata.call(redirected, bucket, key, metadata, md5);
      for (const [temporary, target] of staged) await fs.rename(temporary, target).catch(ignoreMissing);
    } finally {
      for (const temporary of staged.keys()) await fs.unlink(temporary).catch(() => undefined);
      forgetObject(this.getResourcePath(bucket, key, 'object'));
    }
  };
  // s3rver copies the object file in place (a kill mid-copy left a truncated object): copy aside, then rename.
  store.prototype.copyObject = async function copyObject(
    this: WritingStoreLike['prototype'],
    srcBucket,
    srcKey,
    destBucket,
    destKey,
    replacementMetadata,
  ) {
    const source = this.getResourcePath(srcBucket, srcKey, 'object');
    const target = this.getResourcePath(destBucket, destKey, 'object');
    const sourceMetadata = await readMetadataFile(this.getResourcePath(srcBucket, srcKey, 'metadata.json'));
    const md5 = sseKmsBucketsOfStore.get(this.rootDirectory)?.has(destBucket)
      ? opaqueEtag()
      : await fs.readFile(`${source}.md5`, 'utf8').catch(() => undefined);
    if (source !== target) {
      await fs.mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(6).toString('hex')}.partial`;
      try {
        await fs.copyFile(source, temporary);
        await fs.rename(temporary, target);
      } catch (error) {
        await fs.unlink(temporary).catch(() => undefined);
        throw error;
      }
    }
    await this.putMetadata(destBucket, destKey, replacementMetadata ?? sourceMetadata ?? {}, md5);
    return this.getMetadata(destBucket, destKey);
  };
  store.prototype.putObject = async function putObject(this: WritingStoreLike['prototype'], object) {
    const target = this.getResourcePath(object.bucket, object.key, 'object');
    const written = await writeAside(target, object.content);
    await this.putMetadata(object.bucket, object.key, object.metadata, written.md5);
    return written;
  };
  store.prototype.putPart = async function putPart(this: WritingStoreLike['prototype'], bucket, uploadId, partNumber, content) {
    const target = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    const written = await writeAside(target, content);
    await fs.writeFile(`${target}.md5`, written.md5);
    return written;
  };
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

async function readMetadataFile(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Removes what a crash (kill -9) left half-written in the store before these writes were atomic, or
 * mid-rename: files written aside (`*.partial`), metadata files that do not parse (the object is then
 * served with default metadata, as s3rver serves one without any) and empty MD5 files (s3rver computes
 * them again). Returns how many were removed.
 */
export async function repairStore(directory: string): Promise<number> {
  let removed = 0;
  const visit = async (folder: string): Promise<void> => {
    for (const entry of await fs.readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) await visit(file);
      else if (
        entry.name.endsWith('.partial') ||
        (entry.name.endsWith('._S3rver_metadata.json') && !(await readMetadataFile(file))) ||
        (entry.name.endsWith('._S3rver_object.md5') && (await fs.stat(file)).size === 0)
      ) {
        await fs.unlink(file).catch(() => undefined);
        removed += 1;
      }
    }
  };
  await visit(directory);
  return removed;
}

async function writeAside(target: string, content: Buffer | NodeJS.ReadableStream): Promise<{ size: number; md5: string }> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  // Not named `*._S3rver_object`, so listings never show it.
  const temporary = `${target}.${randomBytes(6).toString('hex')}.partial`;
  const md5 = createHash('md5');
  let size = 0;
  try {
    if (Buffer.isBuffer(content)) {
      await fs.writeFile(temporary, content);
      md5.update(content);
      size = content.length;
    } else {
      const count = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          md5.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        },
      });
      await pipeline(content, count, createWriteStream(temporary));
    }
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.unlink(temporary).catch(() => undefined);
    throw error;
  }
  return { size, md5: md5.digest('hex') };
}
