import { readRange, ReusedRangeReader } from './file-range';
import { putBytes } from './put-bytes';
import { ApiError, HilumApi, PresignedUpload } from './api-client';
import { stopsTheRun } from './api-failure';
import { RateLimiter } from './rate-limiter';
import { isRetryableTransfer, TransferError, withRetry } from './retry';
import { FileUploadState, loadUploadState, saveUploadState, UploadState, UploadStateError, UploadStateStore } from './upload-state';

export interface UploadFile {
  readonly path: string;
  /** The key of the file in the state: its path relative to the uploaded folder. */
  readonly relativePath: string;
  readonly size: number;
}

export interface UploadOptions {
  readonly api: HilumApi;
  readonly apiUrl: string;
  readonly project: string;
  readonly site: string;
  readonly files: readonly UploadFile[];
  readonly statePath: string;
  readonly jobs: number;
  readonly maxBytesPerSecond?: number;
  readonly onFileDone?: (file: UploadFile, skipped: boolean) => void;
  /** The files were de-identified at the site with hilum's engine and the project's secret. */
  readonly deidentifiedAtSite?: boolean;
  /** Runs once every file is in, before sealing (e.g. to send cases.csv); again on a resumed run. */
  readonly beforeSeal?: (submissionId: string) => Promise<void>;
}

export interface UploadOutcome {
  readonly submissionId: string;
  readonly uploaded: number;
  /** Already in the intake bucket from an earlier run. */
  readonly resumed: number;
  readonly failed: readonly { relativePath: string; reason: string }[];
  readonly sealed: boolean;
}

const ANNOUNCE_BATCH = 500;
/** The first announcement: one of RequestUploads' transactions (99 files), so the PUTs start after one short request. */
const FIRST_ANNOUNCE_BATCH = 99;
const PARTS_IN_FLIGHT = 4;

/**
 * Uploads a folder's files into one submission: announce, PUT through presigned
 * URLs (parts for large files), seal. Progress is saved after every file (and
 * every part), so an interrupted run resumes without uploading anything twice.
 */
export async function uploadFiles(options: UploadOptions): Promise<UploadOutcome> {
  const state = await openState(options);
  const store = new UploadStateStore(options.statePath, state);
  try {
    // A journal an interrupted run left is folded into the snapshot before this run adds to it.
    await store.snapshot();
    return await uploadAll(options, state, store);
  } finally {
    // The whole state in one file again; were this write to fail, the journal still holds every line.
    await store.close().catch(() => undefined);
  }
}

async function uploadAll(options: UploadOptions, state: UploadState, store: UploadStateStore): Promise<UploadOutcome> {
  const limiter = new RateLimiter(options.maxBytesPerSecond);
  const fresh = new Map<string, PresignedUpload>();

  let uploaded = 0;
  let resumed = 0;
  const failed: { relativePath: string; reason: string }[] = [];
  for (const file of options.files)
    if (state.files[file.relativePath]?.status === 'uploaded') {
      resumed += 1;
      options.onFileDone?.(file, true);
    }
  // Files announced by an earlier run first; the others join as their announcement's ids are on disk.
  const queue = options.files.filter((f) => state.files[f.relativePath] && state.files[f.relativePath]?.status !== 'uploaded');
  const unannounced = options.files.filter((f) => !state.files[f.relativePath]);

  let stop: unknown;
  let announcing = unannounced.length > 0;
  let waiting: (() => void)[] = [];
  const wakeLanes = () => {
    const lanes = waiting;
    waiting = [];
    for (const wake of lanes) wake();
  };
  // The lanes send the first announcement's files while the rest are announced: the first PUT waits for one
  // small request, not for all of them (1,000 CT slices: ~0.5 s of RequestUploads in series before this).
  const announce = async () => {
    try {
      for (let i = 0; i < unannounced.length && stop === undefined;) {
        const batch = unannounced.slice(i, i + (i === 0 ? FIRST_ANNOUNCE_BATCH : ANNOUNCE_BATCH));
        i += batch.length;
        const { uploads } = await options.api.requestUploads(
          state.submissionId,
          batch.map((f) => ({ name: f.relativePath, size: f.size })),
        );
        batch.forEach((file, index) => {
          const upload = uploads[index];
          if (!upload) throw new Error('the API answered fewer uploads than were announced');
          state.files[file.relativePath] = {
            size: file.size,
            fileId: upload.fileId,
            status: 'announced',
            ...(upload.multipart ? { uploadId: upload.multipart.uploadId, parts: {} } : {}),
          };
          fresh.set(file.relativePath, upload);
        });
        // The file ids must be on disk before any of these files is PUT: a run that lost them would announce them again.
        await store.snapshot();
        queue.push(...batch);
        wakeLanes();
      }
    } catch (error) {
      stop ??= error;
    } finally {
      announcing = false;
      wakeLanes();
    }
  };

  const worker = async () => {
    // Each lane sends one file at a time: it reads every file into the same buffer.
    const reader = new ReusedRangeReader();
    while (stop === undefined) {
      const file = queue.shift();
      if (!file) {
        if (!announcing) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      const entry = state.files[file.relativePath];
      if (!entry) continue;
      try {
        if (entry.size !== file.size) throw new Error('the file changed size since it was announced; start a new submission');
        const skipped = await uploadOne(options.api, state, file, entry, fresh.get(file.relativePath), { limiter, store, reader });
        entry.status = 'uploaded';
        await store.record(file.relativePath);
        if (skipped) resumed += 1;
        else uploaded += 1;
        options.onFileDone?.(file, skipped);
      } catch (error) {
        // A refused token or an API that does not answer fails every file alike: stop at the first.
        if (stopsTheRun(error)) stop ??= error;
        else failed.push({ relativePath: file.relativePath, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  await Promise.all([announce(), ...Array.from({ length: Math.max(1, options.jobs) }, worker)]);
  if (stop !== undefined) throw stop;

  if (failed.length === 0 && !state.sealed) {
    await options.beforeSeal?.(state.submissionId);
    await options.api.completeSubmission(state.submissionId);
    state.sealed = true;
    await store.snapshot();
  }
  return { submissionId: state.submissionId, uploaded, resumed, failed, sealed: state.sealed };
}

async function openState(options: UploadOptions): Promise<UploadState> {
  const existing = await loadUploadState(options.statePath);
  if (existing) {
    if (existing.project !== options.project || existing.site !== options.site || existing.apiUrl !== options.apiUrl) {
      throw new UploadStateError(
        `${options.statePath} belongs to another upload (project ${existing.project}, site ${existing.site}); move it away to start a new one`,
      );
    }
    if (!existing.sealed) return existing;
    const known = options.files.every((f) => existing.files[f.relativePath]);
    if (known) return existing;
    throw new UploadStateError(
      `submission ${existing.submissionId} of ${options.statePath} is already sealed and new files were found; move the state file away to upload them as a new submission`,
    );
  }
  const { submissionId } = await options.api.createSubmission(options.project, options.site, {
    deidentifiedAtSite: options.deidentifiedAtSite,
  });
  const state: UploadState = {
    version: 1,
    apiUrl: options.apiUrl,
    project: options.project,
    site: options.site,
    submissionId,
    sealed: false,
    files: {},
  };
  await saveUploadState(options.statePath, state);
  return state;
}

/**
 * Sends one file; returns true when the object was already in the intake bucket
 * (nothing sent). URLs that expired meanwhile (HTTP 403) are renewed once.
 */
async function uploadOne(
  api: HilumApi,
  state: UploadState,
  file: UploadFile,
  entry: FileUploadState,
  fresh: PresignedUpload | undefined,
  lane: Lane,
): Promise<boolean> {
  const renew = async () => {
    const renewed = await api.renewUpload(state.submissionId, entry.fileId, entry.uploadId);
    return renewed.received ? undefined : renewed;
  };
  const first = fresh ?? (await renew());
  if (!first) return true;
  try {
    await send(api, file, entry, first, lane);
  } catch (error) {
    if (!(error instanceof TransferError && error.status === 403)) throw error;
    const renewed = await renew();
    if (!renewed) return true;
    await send(api, file, entry, renewed, lane);
  }
  return false;
}

/** What an upload lane shares with the run (the rate limit, the state on disk) and holds of its own (its read buffer). */
interface Lane {
  readonly limiter: RateLimiter;
  readonly store: UploadStateStore;
  readonly reader: ReusedRangeReader;
}

async function send(
  api: HilumApi,
  file: UploadFile,
  entry: FileUploadState,
  upload: PresignedUpload,
  { limiter, store, reader }: Lane,
): Promise<void> {
  // The URLs sign the announced size (Content-Length): other bytes would only be refused with a 403.
  if (upload.size !== file.size) throw new Error("the file's size differs from the size announced for it; start a new submission");
  if (upload.url) {
    const url = upload.url;
    const body = await reader.read(file.path, 0, upload.size);
    await limiter.take(body.byteLength);
    await withRetry(() => put(url, body, upload.size), { retryable: isRetryableTransfer });
    return;
  }
  const multipart = upload.multipart;
  if (!multipart) throw new Error('the API returned neither a URL nor parts');
  entry.uploadId = multipart.uploadId;
  const done = (entry.parts ??= {});
  const pending = multipart.parts.filter((part) => !done[String(part.partNumber)]);
  // A few parts of one large file in flight at once; each holds one part in memory.
  const sendParts = async () => {
    for (let part = pending.shift(); part; part = pending.shift()) {
      const { url, partNumber } = part;
      const body = await readRange(file.path, part.offset, part.size);
      await limiter.take(body.byteLength);
      done[String(partNumber)] = await withRetry(() => put(url, body, part.size), { retryable: isRetryableTransfer });
      await store.record(file.relativePath);
    }
  };
  await Promise.all(Array.from({ length: PARTS_IN_FLIGHT }, sendParts));
  const parts = Object.entries(done)
    .map(([partNumber, etag]) => ({ partNumber: Number(partNumber), etag }))
    .sort((a, b) => a.partNumber - b.partNumber);
  try {
    await api.completeMultipart(multipart.complete, multipart.uploadId, parts);
  } catch (error) {
    // A lost multipart upload (expired, aborted) cannot be finished: start its parts again.
    if (error instanceof ApiError && error.status === 400) {
      delete entry.uploadId;
      entry.parts = {};
      await store.record(file.relativePath);
    }
    throw error;
  }
}

/** PUTs exactly `signedBytes`, the Content-Length the URL was signed for (putBytes sends the body's length). */
async function put(url: string, body: Buffer, signedBytes: number): Promise<string> {
  if (body.byteLength !== signedBytes) throw new Error(`refusing to send ${body.byteLength} bytes to a URL signed for ${signedBytes}`);
  const { status, etag } = await putBytes(url, body);
  if (status < 200 || status > 299) throw new TransferError(status, `upload failed with HTTP ${status}`);
  return etag;
}
