import { stat } from 'node:fs/promises';
import { readRange } from './file-range';
import { basename } from 'node:path';
import { HilumApi, PresignedUpload } from './api-client';

/**
 * Uploads files into a new submission through presigned URLs and seals it, in one
 * pass: no state file, no retry, no resume (`hilum start` seeds its sample with it,
 * tests drive the API with it). `hilum upload` and the gateway use the resumable
 * upload (resumable-upload.ts) instead.
 */
export async function uploadSubmission(
  api: HilumApi,
  options: { project: string; site: string; files: readonly string[] },
): Promise<{ submissionId: string; fileIds: Record<string, string> }> {
  const { submissionId } = await api.createSubmission(options.project, options.site);
  const sizes = await Promise.all(options.files.map(async (path) => ({ path, size: (await stat(path)).size })));
  const { uploads } = await api.requestUploads(
    submissionId,
    sizes.map((f) => ({ name: basename(f.path), size: f.size })),
  );
  const fileIds: Record<string, string> = {};
  await Promise.all(
    uploads.map(async (upload, index) => {
      const file = sizes[index];
      if (!file) throw new Error('the API returned more uploads than files were announced');
      fileIds[file.path] = upload.fileId;
      await putFile(api, file.path, upload);
    }),
  );
  await api.completeSubmission(submissionId);
  return { submissionId, fileIds };
}

export async function putFile(api: HilumApi, path: string, upload: PresignedUpload): Promise<void> {
  if (upload.url) {
    const body = await readRange(path, 0, upload.size);
    await put(upload.url, body);
    return;
  }
  if (!upload.multipart) throw new Error('the upload has neither a URL nor multipart parts');
  const parts = [];
  for (const part of upload.multipart.parts) {
    const etag = await put(part.url, await readRange(path, part.offset, part.size));
    parts.push({ partNumber: part.partNumber, etag });
  }
  await api.completeMultipart(upload.multipart.complete, upload.multipart.uploadId, parts);
}

async function put(url: string, body: Buffer): Promise<string> {
  const response = await fetch(url, { method: 'PUT', body });
  if (!response.ok) throw new Error(`upload failed with HTTP ${response.status}`);
  return response.headers.get('etag') ?? '';
}
