import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { LocalBucket } from '../template';
import { LOCAL_ACCOUNT, LOCAL_PARTITION } from '../template';
import { busEvent, type BusEvent } from '../event-bus';

/**
 * S3 on s3rver, with the buckets of the template, permissive CORS (browsers upload
 * with presigned PUTs), and S3 → EventBridge notifications for the buckets that have
 * them enabled in the template, converted to the EventBridge "Object Created" /
 * "Object Deleted" shape.
 *
 * Clients must use `forcePathStyle: true` and
 * `requestChecksumCalculation/responseChecksumValidation: 'WHEN_REQUIRED'`
 * (s3rver corrupts streamed bodies otherwise).
 */

// s3rver ships no types; this is the part of it used here.
interface S3rverInstance {
  middleware: Array<(ctx: KoaContext, next: () => Promise<unknown>) => Promise<unknown>>;
  on(event: 'event', listener: (event: S3NotificationEvent) => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: import('node:http').Server;
}
interface KoaContext {
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
  readonly port?: number;
  /** Receives EventBridge-shaped events for buckets with EventBridge notifications on. */
  readonly onEvent?: (event: BusEvent) => void;
  readonly log?: (message: string) => void;
}

export interface S3Emulator {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

const PERMISSIVE_CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>DELETE</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

interface RequestInfo { readonly method: string; readonly multipart: boolean; readonly requestId: string }

export async function startS3(options: S3EmulatorOptions): Promise<S3Emulator> {
  const log = options.log ?? (() => undefined);
  const directory = path.join(options.dataDir, 's3');
  await fs.mkdir(directory, { recursive: true });
  const buckets = [...options.buckets];
  const notifying = new Set(buckets.filter((b) => b.eventBridge).map((b) => b.name));

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
  keepFoldersOnDelete();
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory,
    silent: true,
    // Real bucket names resolve only as paths on 127.0.0.1.
    vhostBuckets: false,
    configureBuckets: buckets.map((b) => ({ name: b.name, configs: [PERMISSIVE_CORS] })),
  });

  // s3rver's event does not say which request made it; the request's async context does
  // (the event is emitted synchronously inside the request handler).
  const requests = new AsyncLocalStorage<RequestInfo>();
  server.middleware.unshift((ctx, next) =>
    requests.run(
      { method: ctx.method, multipart: ctx.query.uploadId !== undefined, requestId: randomBytes(8).toString('hex').toUpperCase() },
      next,
    ),
  );
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

  const address = await server.run();
  const port = address.port;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => {
      if (!stopped) {
        stopped = server.close().catch(() => undefined);
        // Keep-alive sockets of SDK clients would hold close() open.
        server.httpServer?.closeAllConnections();
      }
      return stopped;
    },
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

interface FilesystemStoreLike {
  prototype: { deleteObject(bucket: string, key: string): Promise<void>; getResourcePath(bucket: string, key: string, resource: string): string };
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
  store.prototype.deleteObject = async function deleteObject(this: FilesystemStoreLike['prototype'], bucket: string, key: string): Promise<void> {
    await Promise.all(['object', 'object.md5', 'metadata.json'].map((resource) =>
      fs.unlink(this.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      })));
  };
}
