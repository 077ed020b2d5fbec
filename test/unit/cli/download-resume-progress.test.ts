/**
 * A resumed download's progress counts the `.part` bytes an interrupted run left on disk: the bar
 * ends at the object's size, not short of it by what was there already.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HilumApi } from '../../../cli/lib/api-client';
import { ProgressBar } from '../../../cli/lib/progress';
import { downloadAll, targetPath } from '../../../cli/lib/resumable-download';

const body = randomBytes(64 * 1024);
const object = {
  objectId: 'obj-1',
  studyUid: '1.2.3',
  seriesUid: '1.2.3.4',
  sopUid: '1.2.3.4.5',
  size: body.byteLength,
  sha256: createHash('sha256').update(body).digest('hex'),
};

/** An S3 stand-in: GET with Range answers 206 from the offset. */
function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    res.writeHead(from > 0 ? 206 : 200, { 'content-length': String(body.byteLength - from) });
    res.end(body.subarray(from));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('download progress of a resumed object', () => {
  let server: Server;
  let outDir: string;
  beforeAll(async () => {
    server = await serve();
    outDir = await mkdtemp(join(tmpdir(), 'hilum-resume-progress-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(outDir, { recursive: true, force: true });
  });

  it('counts the .part bytes already on disk, so the bar reaches the full size (left out of the rate)', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/object`;
    const api = {
      request: async (_method: string, path: string) =>
        path.includes('/access/')
          ? { url }
          : {
              size: object.size,
              checksums: [{ type: 'sha-256', checksum: object.sha256 }],
              access_methods: [{ type: 'https', access_id: 'a1' }],
            },
    } as unknown as HilumApi;
    const target = targetPath(outDir, object);
    await mkdir(dirname(target), { recursive: true });
    const already = 40 * 1024;
    await writeFile(`${target}.part`, body.subarray(0, already));

    const pipe = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
    const progress = new ProgressBar({ label: 'download', totalItems: 1, totalBytes: object.size, stream: pipe });
    const summary = await downloadAll({
      api,
      objects: [object],
      outDir,
      jobs: 1,
      onBytes: (n) => progress.tick(0, n),
      onResumedBytes: (n) => progress.skip(0, n),
      onObjectDone: () => progress.tick(1, 0),
    });

    expect(summary).toMatchObject({ resumed: 1, bytes: object.size - already, failed: [] });
    expect(progress.line()).toContain(' 1/1 64.0 KB/64.0 KB ');
  });
});
