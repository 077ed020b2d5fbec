/**
 * `hilum upload` starts its PUTs once the first announcement's file ids are on disk, while the other files are
 * announced: a 1,000-file folder's first PUT waits for one short RequestUploads, not for all of them. Each file is
 * still PUT only after the state file holds its id, and an announcement that fails still ends the run with its error.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, type HilumApi, type AnnouncedUpload } from '../../../cli/lib/api-client';
import { uploadFiles, type UploadFile } from '../../../cli/lib/resumable-upload';
import { loadUploadState } from '../../../cli/lib/upload-state';

let dir: string;
let server: Server;
let base: string;
let statePath: string;
/** Each PUT's file id, and whether the state file on disk held that id when the PUT arrived. */
let puts: { fileId: string; idOnDisk: boolean }[] = [];
let putArrived: () => void = () => undefined;
/** Each file's size by the id the fake API gives it. */
const sizes = new Map<string, number>();
/** The fake API's file id for each file (the state file holds UUIDs only). */
const ids = new Map<string, string>();
function idOf(relativePath: string): string {
  const id = ids.get(relativePath) ?? randomUUID();
  ids.set(relativePath, id);
  return id;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hilum-upload-announce-'));
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const fileId = (request.url ?? '').slice(1);
      void loadUploadState(statePath)
        .then((state) => Object.values(state?.files ?? {}).some((entry) => entry.fileId === fileId))
        .catch(() => false)
        .then((idOnDisk) => {
          puts.push({ fileId, idOnDisk });
          putArrived();
          response.writeHead(200, { etag: `"${fileId}"` }).end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function folderOf(count: number, name: string): Promise<UploadFile[]> {
  const files: UploadFile[] = [];
  for (let i = 0; i < count; i += 1) {
    const path = join(dir, `${name}-${i}.dcm`);
    await writeFile(path, `file ${i}`);
    files.push({ path, relativePath: `${name}/${i}.dcm`, size: `file ${i}`.length });
    sizes.set(idOf(`${name}/${i}.dcm`), `file ${i}`.length);
  }
  return files;
}

/** An API whose second and later announcements answer only once a PUT has arrived (or fail after 5 s without one). */
function apiWaitingForAPut(options: { failLater?: boolean } = {}): { api: HilumApi; announced: number[] } {
  const announced: number[] = [];
  const firstPut = new Promise<void>((resolve, reject) => {
    putArrived = resolve;
    setTimeout(() => reject(new Error('no PUT arrived while the rest of the files were being announced')), 5000).unref();
  });
  const api = {
    createSubmission: async () => ({ submissionId: randomUUID() }),
    requestUploads: async (_submissionId: string, files: readonly { name: string; size: number }[]) => {
      announced.push(files.length);
      if (announced.length > 1) {
        await firstPut;
        if (options.failLater) throw new ApiError(400, 'too many files', { message: 'too many files' });
      }
      const uploads: AnnouncedUpload[] = files.map((f) => {
        const fileId = idOf(f.name);
        return { name: f.name, fileId, size: f.size, method: 'PUT', url: `${base}/${fileId}` };
      });
      return { uploads };
    },
    // A file announced by a run that stopped before sending it gets a fresh URL.
    renewUpload: async (_submissionId: string, fileId: string) => ({
      fileId,
      size: sizes.get(fileId),
      url: `${base}/${fileId}`,
      received: false,
    }),
    completeSubmission: async () => ({ status: 'sealed' }),
  };
  return { api: api as unknown as HilumApi, announced };
}

describe('announcing the files while the first ones are sent', () => {
  it('PUTs files of the first announcement before the last is answered, each only once its id is on disk', async () => {
    puts = [];
    statePath = join(dir, 'state-overlap.json');
    const files = await folderOf(150, 'overlap');
    const { api, announced } = apiWaitingForAPut();

    const outcome = await uploadFiles({ api, apiUrl: base, project: 'p', site: 's', files, statePath, jobs: 4 });

    expect(announced).toEqual([99, 51]);
    expect(outcome).toMatchObject({ uploaded: 150, resumed: 0, failed: [], sealed: true });
    expect(puts.map((p) => p.fileId).sort()).toEqual(files.map((f) => idOf(f.relativePath)).sort());
    expect(puts.filter((p) => !p.idOnDisk)).toEqual([]);
    const state = await loadUploadState(statePath);
    expect(Object.values(state?.files ?? {}).filter((entry) => entry.status !== 'uploaded')).toEqual([]);
  }, 20_000);

  it('ends the run with the error of an announcement that fails, sending none of its files, and a rerun resumes the rest', async () => {
    puts = [];
    statePath = join(dir, 'state-failing.json');
    const files = await folderOf(150, 'failing');
    const failing = apiWaitingForAPut({ failLater: true });

    await expect(uploadFiles({ api: failing.api, apiUrl: base, project: 'p', site: 's', files, statePath, jobs: 4 })).rejects.toThrow(
      'too many files',
    );
    const firstIds = new Set(files.slice(0, 99).map((f) => idOf(f.relativePath)));
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.filter((p) => !firstIds.has(p.fileId))).toEqual([]);

    // The rerun announces only the files the failed announcement left out and sends every file not yet sent.
    const sentBefore = new Set(puts.map((p) => p.fileId));
    puts = [];
    const rerun = apiWaitingForAPut();
    putArrived();
    const outcome = await uploadFiles({ api: rerun.api, apiUrl: base, project: 'p', site: 's', files, statePath, jobs: 4 });
    expect(rerun.announced).toEqual([51]);
    expect(outcome).toMatchObject({ failed: [], sealed: true });
    expect(outcome.uploaded).toBe(150 - sentBefore.size);
    expect(puts.filter((p) => sentBefore.has(p.fileId))).toEqual([]);
  }, 20_000);
});
