import { api } from '../api/client';
import type { PreparedFile } from './prepare';
import { MAX_ATTEMPTS, retryable, retryDelay, TransferProgress } from './transfer';
import { fileKey, planUpload, saveRecord, type FileIdentity, type KeyValueStore, type UploadRecord } from './upload-state';

/**
 * The browser's side of the presigned flow `hilum upload` uses: open a submission, announce
 * files, PUT each (parts for large ones) straight to the intake bucket, then seal. The record is
 * saved after every file and every part, so a reload resumes where it stopped.
 */

export interface PresignedUpload {
  readonly fileId: string;
  readonly size: number;
  readonly url?: string;
  readonly multipart?: {
    readonly uploadId: string;
    readonly parts: readonly { partNumber: number; offset: number; size: number; url: string }[];
    readonly complete: string;
  };
}

export interface ReadyFile extends FileIdentity {
  /** What is sent: the de-identified copy (or the original when the pipeline de-identifies). */
  readonly prepared: PreparedFile;
}

export interface UploadRun {
  readonly project: string;
  readonly site: string;
  readonly deidentifiedAtSite: boolean;
  readonly files: readonly ReadyFile[];
  readonly record: UploadRecord | undefined;
  readonly store: KeyValueStore;
  readonly storeKey: string;
  readonly progress: TransferProgress;
  readonly onChange: () => void;
  readonly jobs?: number;
}

export interface UploadResult {
  readonly record: UploadRecord;
  readonly failed: readonly { relativePath: string; reason: string }[];
}

class TransferFailed extends Error {
  override readonly name = 'TransferFailed';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function runUpload(run: UploadRun): Promise<UploadResult> {
  const record: UploadRecord =
    run.record ??
    (await (async () => {
      const created = await api.post<{ submissionId: string }>('/submissions', {
        project: run.project,
        site: run.site,
        ...(run.deidentifiedAtSite ? { deidentifiedAtSite: true } : {}),
      });
      return {
        version: 1,
        submissionId: created.submissionId,
        project: run.project,
        site: run.site,
        deidentifiedAtSite: run.deidentifiedAtSite,
        sealed: false,
        files: {},
      };
    })());
  const save = () => saveRecord(run.store, run.storeKey, record);
  save();

  const plan = planUpload(run.files, record);
  const byKey = new Map(run.files.map((f) => [fileKey(f), f]));
  for (const f of plan.done) run.progress.finish(fileKey(f));
  const fresh = new Map<string, PresignedUpload>();
  for (let i = 0; i < plan.toAnnounce.length; i += 500) {
    const batch = plan.toAnnounce.slice(i, i + 500).map((f) => byKey.get(fileKey(f)) as ReadyFile);
    const { uploads } = await api.post<{ uploads: PresignedUpload[] }>(`/submissions/${record.submissionId}/uploads`, {
      files: batch.map((f) => ({ name: f.relativePath, size: f.prepared.bytes.byteLength })),
    });
    batch.forEach((file, index) => {
      const upload = uploads[index];
      if (!upload) throw new Error('the API answered fewer uploads than were announced');
      record.files[fileKey(file)] = {
        relativePath: file.relativePath,
        fileId: upload.fileId,
        announcedSize: file.prepared.bytes.byteLength,
        status: 'announced',
        ...(upload.multipart ? { uploadId: upload.multipart.uploadId, parts: {} } : {}),
      };
      fresh.set(fileKey(file), upload);
    });
    save();
  }
  run.onChange();

  const queue = [...plan.toAnnounce, ...plan.toResume].map((f) => byKey.get(fileKey(f)) as ReadyFile);
  const failed: { relativePath: string; reason: string }[] = [];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const key = fileKey(file);
      const entry = record.files[key];
      if (!entry) continue;
      try {
        if (entry.announcedSize !== file.prepared.bytes.byteLength) {
          throw new Error('the file is not the one announced (its size changed); start a new submission');
        }
        await sendOne(record, entry, file, fresh.get(key), run, save);
        entry.status = 'uploaded';
        run.progress.finish(key);
        save();
      } catch (error) {
        run.progress.restart(key);
        failed.push({ relativePath: file.relativePath, reason: error instanceof Error ? error.message : 'upload failed' });
      }
      run.onChange();
    }
  };
  await Promise.all(Array.from({ length: run.jobs ?? 3 }, worker));

  if (failed.length === 0 && !record.sealed) {
    await api.post(`/submissions/${record.submissionId}/complete`);
    record.sealed = true;
    save();
  }
  run.onChange();
  return { record, failed };
}

async function sendOne(
  record: UploadRecord,
  entry: UploadRecord['files'][string],
  file: ReadyFile,
  fresh: PresignedUpload | undefined,
  run: UploadRun,
  save: () => void,
): Promise<void> {
  const renew = async () => {
    const renewed = await api.post<PresignedUpload & { received: boolean }>(
      `/submissions/${record.submissionId}/uploads/${entry.fileId}/renew`,
      entry.uploadId ? { uploadId: entry.uploadId } : {},
    );
    return renewed.received ? undefined : renewed;
  };
  const first = fresh ?? (await renew());
  if (!first) return;
  try {
    await transfer(entry, file, first, run, save);
  } catch (error) {
    if (!(error instanceof TransferFailed && error.status === 403)) throw error;
    const renewed = await renew();
    if (renewed) await transfer(entry, file, renewed, run, save);
  }
}

async function transfer(
  entry: UploadRecord['files'][string],
  file: ReadyFile,
  upload: PresignedUpload,
  run: UploadRun,
  save: () => void,
): Promise<void> {
  const key = fileKey(file);
  const bytes = file.prepared.bytes;
  if (upload.url) {
    const url = upload.url;
    await withRetries(() => put(url, bytes, (sent) => (run.progress.update(key, sent), run.onChange())));
    return;
  }
  const multipart = upload.multipart;
  if (!multipart) throw new Error('the API returned neither a URL nor parts');
  entry.uploadId = multipart.uploadId;
  const done = (entry.parts ??= {});
  let partsSent = Object.values(multipart.parts)
    .filter((p) => done[String(p.partNumber)])
    .reduce((n, p) => n + p.size, 0);
  for (const part of multipart.parts) {
    if (done[String(part.partNumber)]) continue;
    const body = bytes.subarray(part.offset, part.offset + part.size);
    const base = partsSent;
    done[String(part.partNumber)] = await withRetries(() =>
      put(part.url, body, (sent) => (run.progress.update(key, base + sent), run.onChange())),
    );
    partsSent += part.size;
    save();
  }
  const parts = Object.entries(done)
    .map(([partNumber, etag]) => ({ partNumber: Number(partNumber), etag }))
    .sort((a, b) => a.partNumber - b.partNumber);
  await api.post(multipart.complete, { uploadId: multipart.uploadId, parts });
}

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof TransferFailed) || !retryable(error.status) || n >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryDelay(n)));
    }
  }
}

/** One PUT with upload progress (XMLHttpRequest: fetch reports none); resolves with the ETag. */
function put(url: string, body: Uint8Array, onProgress: (sent: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader('etag') ?? '');
      else reject(new TransferFailed(xhr.status, `the upload was refused (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new TransferFailed(0, 'the upload did not reach the store (network)'));
    // The bytes themselves (not a Blob): exactly the announced, signed length, and what a proxy or test sees.
    xhr.send(body as Uint8Array<ArrayBuffer>);
  });
}
