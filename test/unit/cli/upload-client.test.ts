/**
 * What makes `hilum upload` cheap per file, each without dropping anything it does for the site:
 * it starts from a cached bundle, not through tsx; the site-side check's reading of each file also
 * groups the files by study.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROFILE } from '../../../layers/dicom';
import { DEFAULT_QA_CONFIG } from '../../../layers/qa';
import { checkBeforeUpload, groupByStudy } from '../../../cli/lib/site-prepare';
import type { FoundFile } from '../../../cli/lib/scan-files';
import { ReusedRangeReader } from '../../../cli/lib/file-range';
import { putBytes } from '../../../cli/lib/put-bytes';
import { isRetryableTransfer, TransferError } from '../../../cli/lib/retry';
import { journalPathOf, loadUploadState, UploadStateError, UploadStateStore, type UploadState } from '../../../cli/lib/upload-state';
import { makeDicom } from '../../support/synthetic-dicom';

// Set when anything loads the Cognito client (the AWS SDK): only a signed-in session's refresh needs it.
let mockCognitoLoaded = false;
jest.mock('@aws-sdk/client-cognito-identity-provider', () => {
  mockCognitoLoaded = true;
  return jest.requireActual('@aws-sdk/client-cognito-identity-provider');
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hilum-upload-client-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function folderOf(files: Record<string, Uint8Array>): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(dir, name);
    await writeFile(path, bytes);
    found.push({ path, relativePath: name, size: bytes.byteLength });
  }
  return found;
}

describe('the start of hilum upload', () => {
  it('runs the command from its bundle, without loading tsx', async () => {
    // Reports, as the process exits, whether any module of tsx was loaded.
    const probe = join(dir, 'probe.js');
    await writeFile(
      probe,
      `process.on('exit', () => process.stderr.write('tsx loaded: ' + Object.keys(require.cache).some((m) => m.includes('/node_modules/tsx/')) + '\\n'));\n`,
    );
    const cli = join(__dirname, '../../../cli/bin/hilum.js');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--require', probe, cli, 'upload', '--help'], {
      env: { ...process.env, HILUM_UPLOAD_BUNDLE: '' },
    });
    expect(stdout).toContain('Usage: hilum upload FOLDER');
    expect(stderr).toContain('tsx loaded: false');
    // The first run after a change of the sources builds the bundle (a few seconds on a busy machine).
  }, 60_000);

  it('connects with a token without loading the Cognito client, which only the refresh of a signed-in session needs', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'a-token\n');
    const { connect } = await import('../../../cli/lib/connection');
    expect((await connect({ api: 'http://127.0.0.1:9', tokenFile })).apiUrl).toBe('http://127.0.0.1:9');
    // The SDK was a sixth of the bundle's start (~0.1 s of CPU per run) for a client that never called it.
    expect(mockCognitoLoaded).toBe(false);
  });
});

describe('the site-side check before upload', () => {
  it('groups the files by study from its own reading of each file, as groupByStudy counts them', async () => {
    const study = (n: number) => ({
      studyInstanceUid: `1.2.826.0.1.3680043.8.498.77.${n}`,
      seriesInstanceUid: `1.2.826.0.1.3680043.8.498.77.${n}.1`,
    });
    const files = await folderOf({
      'a1.dcm': makeDicom({ modality: 'CT', rows: 16, columns: 16, instanceNumber: 1, ...study(1) }),
      'a2.dcm': makeDicom({ modality: 'CT', rows: 16, columns: 16, instanceNumber: 2, ...study(1) }),
      'b1.dcm': makeDicom({ modality: 'CT', rows: 16, columns: 16, instanceNumber: 1, ...study(2) }),
      'broken.dcm': Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from('not a data set')]),
    });
    const expected = await groupByStudy(files);
    expect([...expected.values()].sort()).toEqual([1, 1, 2]);

    const { studies } = await checkBeforeUpload(files, DEFAULT_QA_CONFIG, DEFAULT_PROFILE, true);
    expect(studies).toEqual(expected);
  });
});

describe('sending a file through a presigned URL', () => {
  let server: Server;
  let url: string;
  const received: { length: string | undefined; body: Buffer; socket: unknown }[] = [];
  let cutNext = false;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      if (cutNext) {
        cutNext = false;
        request.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ length: request.headers['content-length'], body: Buffer.concat(chunks), socket: request.socket });
        response.writeHead(request.url?.includes('expired') ? 403 : 200, { etag: '"abc"' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/intake/x?X-Amz-Signature=s`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('PUTs exactly the bytes with their Content-Length, answers status and ETag, and keeps the connection for the next file', async () => {
    received.length = 0;
    const first = Buffer.from('first file bytes');
    const second = Buffer.from('second');
    expect(await putBytes(url, first)).toEqual({ status: 200, etag: '"abc"' });
    expect(await putBytes(url, second)).toEqual({ status: 200, etag: '"abc"' });
    expect(received.map((r) => [r.length, r.body.toString()])).toEqual([
      [String(first.byteLength), 'first file bytes'],
      [String(second.byteLength), 'second'],
    ]);
    expect(received[0]!.socket).toBe(received[1]!.socket);
    expect((await putBytes(`${url}&expired`, first)).status).toBe(403);
  });

  it('turns a connection cut before the answer into a retryable TransferError that names no URL', async () => {
    cutNext = true;
    const error: unknown = await putBytes(url, Buffer.from('cut')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransferError);
    expect(error).toMatchObject({ status: 0 });
    expect((error as Error).message).not.toContain('127.0.0.1');
    expect(isRetryableTransfer(error)).toBe(true);
    expect(isRetryableTransfer(new TransferError(403, 'expired'))).toBe(false);
  });
});

describe('reading files for upload into one reused buffer', () => {
  it('reads exact ranges of successive files into the same memory, and refuses a file shorter than announced', async () => {
    const [big, small] = await folderOf({ 'big.bin': Buffer.alloc(4096, 7), 'small.bin': Buffer.from('0123456789') });
    const reader = new ReusedRangeReader();
    const first = await reader.read(big!.path, 0, 4096);
    expect(first.every((b) => b === 7)).toBe(true);
    const second = await reader.read(small!.path, 2, 5);
    expect(second.toString()).toBe('23456');
    expect(second.buffer).toBe(first.buffer);
    await expect(reader.read(small!.path, 0, 11)).rejects.toThrow('shorter than announced');
  });

  it('reads whole files for the check into the same memory, each as a plain Uint8Array of its own length', async () => {
    const [big, small] = await folderOf({ 'whole-big.bin': Buffer.alloc(8192, 3), 'whole-small.bin': Buffer.from('abc') });
    const reader = new ReusedRangeReader();
    const first = reader.readWholeSync(big!.path);
    expect([first.byteLength, first.every((b) => b === 3), Buffer.isBuffer(first)]).toEqual([8192, true, false]);
    const second = reader.readWholeSync(small!.path);
    expect(Buffer.from(second).toString()).toBe('abc');
    expect(second.buffer).toBe(first.buffer);
  });
});

describe('the upload state file', () => {
  const fileId = (i: number) => `44444444-4444-4444-8444-${String(i).padStart(12, '0')}`;
  const stateOf = (files: number): UploadState => ({
    version: 1,
    apiUrl: 'http://127.0.0.1:3000',
    project: 'p1',
    site: 'site-a',
    submissionId: '11111111-1111-4111-8111-111111111111',
    sealed: false,
    files: Object.fromEntries(
      Array.from({ length: files }, (_, i) => [`ct/slice-${i}.dcm`, { size: 525_000, fileId: fileId(i), status: 'announced' as const }]),
    ),
  });

  it('resumes from a state file an earlier version wrote (one JSON document, no journal)', async () => {
    const path = join(dir, 'old-state.json');
    const old = stateOf(3);
    old.files['ct/slice-1.dcm'] = { size: 525_000, fileId: fileId(1), status: 'uploaded' };
    await writeFile(path, JSON.stringify(old, null, 1));
    expect(await loadUploadState(path)).toEqual(old);
  });

  it('records each uploaded file as one journal line, never rewriting the whole state, and folds the journal into the snapshot', async () => {
    const path = join(dir, 'journaled-state.json');
    const state = stateOf(1000);
    const store = new UploadStateStore(path, state);
    await store.snapshot();
    const snapshot = await readFile(path, 'utf8');
    for (let i = 0; i < 1000; i += 1) {
      state.files[`ct/slice-${i}.dcm`]!.status = 'uploaded';
      await store.record(`ct/slice-${i}.dcm`);
    }
    // What a kill now leaves: the snapshot as it was, and a line per file (about 150 bytes, not the whole state).
    expect(await readFile(path, 'utf8')).toBe(snapshot);
    expect((await stat(journalPathOf(path))).size).toBeLessThan(1000 * 200);
    const resumed = await loadUploadState(path);
    expect(Object.values(resumed!.files).every((f) => f.status === 'uploaded')).toBe(true);

    await store.close();
    await expect(stat(journalPathOf(path))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await loadUploadState(path)).toEqual({ ...state, journaled: 1000 });
  });

  it('leaves out a last line cut short and lines the snapshot already holds, and refuses a damaged line before others', async () => {
    const path = join(dir, 'torn-state.json');
    const state = stateOf(3);
    const store = new UploadStateStore(path, state);
    await store.snapshot();
    state.files['ct/slice-0.dcm']!.status = 'uploaded';
    await store.record('ct/slice-0.dcm');
    // A kill after the snapshot's rename, before the journal was emptied: its line (seq 1) is already held.
    state.files['ct/slice-1.dcm']!.status = 'uploaded';
    await store.record('ct/slice-1.dcm');
    const line2 = (await readFile(journalPathOf(path), 'utf8')).split('\n')[1]!;
    await store.close();
    await writeFile(
      journalPathOf(path),
      `${JSON.stringify({ seq: 1, file: 'ct/slice-1.dcm', entry: { size: 1, fileId: fileId(9), status: 'announced' } })}\n`,
    );
    await appendFile(journalPathOf(path), `${line2.replace('"seq":2', '"seq":3').replace('slice-1', 'slice-2')}\n{"seq":4,"file":"ct/sl`);
    const loaded = await loadUploadState(path);
    expect(Object.fromEntries(Object.entries(loaded!.files).map(([k, v]) => [k, `${v.status} ${v.fileId}`]))).toEqual({
      'ct/slice-0.dcm': `uploaded ${fileId(0)}`,
      'ct/slice-1.dcm': `uploaded ${fileId(1)}`,
      'ct/slice-2.dcm': `uploaded ${fileId(1)}`,
    });

    await writeFile(journalPathOf(path), `{"seq":5,"fi\n${line2.replace('"seq":2', '"seq":6')}\n`);
    await expect(loadUploadState(path)).rejects.toBeInstanceOf(UploadStateError);
  });
});
