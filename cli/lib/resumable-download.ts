/**
 * What `hilum download` runs: fetches every object of a manifest through the commons' GA4GH
 * DRS endpoints into `<out>/<study>/<series>/<sop>.dcm`. Parallel (`jobs`), resumable
 * (a complete file is kept after its size and SHA-256 are checked; a `.part` file is
 * continued with a ranged GET), URLs re-requested when they expire, every file
 * verified against the manifest's SHA-256 before it gets its final name.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ApiError, HilumApi } from './api-client';
import { stopsTheRun } from './api-failure';
import type { ManifestObject } from './download-manifest';
import { RateLimiter } from './rate-limiter';
import { isRetryableTransfer, TransferError } from './retry';

export interface DownloadOptions {
  readonly api: HilumApi;
  readonly objects: readonly ManifestObject[];
  readonly outDir: string;
  readonly jobs: number;
  readonly maxBytesPerSecond?: number;
  /** Bytes received (for the progress bar's rate). */
  readonly onBytes?: (bytes: number) => void;
  /** Bytes of a `.part` file an earlier run left, found on disk as an object resumes: done already, not received now. */
  readonly onResumedBytes?: (bytes: number) => void;
  readonly onObjectDone?: (object: ManifestObject, outcome: ObjectOutcome) => void;
}

export type ObjectOutcome = 'downloaded' | 'resumed' | 'already-there';

export interface DownloadSummary {
  readonly downloaded: number;
  /** Finished from a `.part` file left by an interrupted run. */
  readonly resumed: number;
  readonly alreadyThere: number;
  readonly bytes: number;
  readonly failed: readonly { objectId: string; reason: string }[];
}

interface DrsObject {
  readonly size: number;
  readonly checksums: readonly { type: string; checksum: string }[];
  readonly access_methods?: readonly { type: string; access_id?: string; access_url?: { url: string } }[];
}

export class DownloadFailed extends Error {
  override readonly name = 'DownloadFailed';
}

export function targetPath(outDir: string, o: ManifestObject): string {
  return join(outDir, o.studyUid, o.seriesUid, `${o.sopUid}.dcm`);
}

export async function downloadAll(options: DownloadOptions): Promise<DownloadSummary> {
  const limiter = new RateLimiter(options.maxBytesPerSecond);
  const counts = { downloaded: 0, resumed: 0, alreadyThere: 0, bytes: 0 };
  const failed: { objectId: string; reason: string }[] = [];
  let next = 0;
  let stop: unknown;
  const worker = async () => {
    while (next < options.objects.length && stop === undefined) {
      const object = options.objects[next++]!;
      try {
        const { outcome, bytes } = await downloadOne(options, object, limiter);
        counts.bytes += bytes;
        if (outcome === 'downloaded') counts.downloaded += 1;
        else if (outcome === 'resumed') counts.resumed += 1;
        else counts.alreadyThere += 1;
        options.onObjectDone?.(object, outcome);
      } catch (error) {
        // A refused token or an API that does not answer fails every object alike: stop at the first.
        if (stopsTheRun(error)) stop ??= error;
        else failed.push({ objectId: object.objectId, reason: reasonOf(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, options.objects.length)) }, worker));
  if (stop !== undefined) throw stop;
  return { ...counts, failed };
}

async function downloadOne(
  options: DownloadOptions,
  object: ManifestObject,
  limiter: RateLimiter,
): Promise<{ outcome: ObjectOutcome; bytes: number }> {
  const target = targetPath(options.outDir, object);
  const part = `${target}.part`;
  const existing = await sizeOf(target);
  if (existing !== undefined) {
    if (existing === object.size && (await sha256Of(target)) === object.sha256) return { outcome: 'already-there', bytes: 0 };
    await rm(target, { force: true }); // a different file under our name: fetch it again
  }
  await mkdir(dirname(target), { recursive: true });
  let offset = (await sizeOf(part)) ?? 0;
  if (offset > object.size) {
    await rm(part, { force: true });
    offset = 0;
  }
  const resumed = offset > 0;
  if (resumed) options.onResumedBytes?.(offset);

  const drsPath = `/ga4gh/drs/v1/objects/${encodeURIComponent(object.objectId)}`;
  const drs = await options.api.request<DrsObject>('GET', drsPath);
  const sha = drs.checksums.find((c) => c.type === 'sha-256')?.checksum;
  if (drs.size !== object.size || sha !== object.sha256)
    throw new DownloadFailed("the commons' object differs from the manifest (size or sha-256)");
  const method = drs.access_methods?.find((m) => m.type === 'https' && m.access_id);
  if (!method?.access_id) throw new DownloadFailed('the object has no https access method');
  const freshUrl = async () =>
    (await options.api.request<{ url: string }>('GET', `${drsPath}/access/${encodeURIComponent(method.access_id!)}`)).url;

  let url = await freshUrl();
  let received = 0;
  for (let renewals = 0, failures = 0; offset < object.size;) {
    try {
      received += await fetchRange(url, offset, part, limiter, options.onBytes);
    } catch (error) {
      // 403 from S3: the presigned URL expired (or was revoked with its grant): ask the API again.
      if (error instanceof TransferError && error.status === 403 && renewals < 3) {
        renewals += 1;
        url = await freshUrl();
      } else if (isRetryableTransfer(error) && failures < 5) {
        failures += 1;
        await backoff(failures);
      } else {
        throw error;
      }
    }
    // Whatever reached the disk counts: a broken transfer resumes where it stopped.
    offset = (await sizeOf(part)) ?? 0;
  }
  if ((await sha256Of(part)) !== object.sha256) {
    await rm(part, { force: true });
    throw new DownloadFailed('sha-256 mismatch after download; the partial file was removed, run again');
  }
  await rename(part, target);
  return { outcome: resumed ? 'resumed' : 'downloaded', bytes: received };
}

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1) * (0.5 + Math.random())));
}

/** GETs from `offset` (a ranged GET when resuming) and appends to `part`; returns the bytes written. */
async function fetchRange(url: string, offset: number, part: string, limiter: RateLimiter, onBytes?: (n: number) => void): Promise<number> {
  const response = await fetch(url, offset > 0 ? { headers: { range: `bytes=${offset}-` } } : {});
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw new TransferError(response.status, `GET of the object failed (${response.status})`);
  }
  // A server that ignores Range sends the whole object: start the file over.
  const append = offset > 0 && response.status === 206;
  const file = await open(part, append ? 'a' : 'w');
  let written = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      await limiter.take(chunk.byteLength);
      await file.write(chunk);
      written += chunk.byteLength;
      onBytes?.(chunk.byteLength);
    }
  } finally {
    await file.close();
  }
  return written;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function reasonOf(error: unknown): string {
  if (error instanceof ApiError) return error.status === 404 ? 'not available to you (404: unknown, or not granted)' : error.message;
  if (error instanceof TransferError) return `transfer failed (${error.status})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
