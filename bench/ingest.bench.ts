/**
 * `npm run bench ingest [-- --ct N --radiographs N --radiograph-size PX --function-workers N]`: end-to-end ingest
 * through the site path (issue 21): a fresh local commons takes a generated CT series (1,000 slices
 * of 512 x 512, 16-bit, about 0.5 MB each) and a set of radiographs (50 DX of 2,048 x 2,500 by
 * default, one study each) by `hilum upload --wait` (bench/ingest-run.ts). Prints instances/s end to
 * end for each set, and the commons' CPU per instance (all its threads, and its main thread alone: the
 * handlers run in `--function-workers` threads, 2 by default as `hilum start` runs them; 0 puts them on
 * the main thread).
 *
 * The reference, when Debian's Orthanc is installed (`apt-get install orthanc`): the bench starts its
 * own Orthanc on a free loopback port with a throw-away storage folder and POSTs the same files to
 * its REST API (`/instances`) one after another over one keep-alive connection, as its own importer
 * does, from a client process of its own (bench/orthanc-post.js); it stores and indexes, without de-identification, verification or QA. Without Orthanc the
 * comparison is skipped with a note.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FUNCTION_WORKERS } from '../local/function-workers';
import { runIngest, type FileSet } from './ingest-run';

export function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not ${process.argv[at + 1]}`);
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function orthancBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/Orthanc', '/usr/bin/Orthanc']) {
    if (spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  return undefined;
}

async function startOrthanc(binary: string, root: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const storage = join(root, 'orthanc-storage');
  await mkdir(storage, { recursive: true });
  const config = join(root, 'orthanc.json');
  await writeFile(
    config,
    JSON.stringify({
      Name: 'hilum-bench',
      StorageDirectory: storage,
      IndexDirectory: storage,
      HttpPort: port,
      DicomServerEnabled: false,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      Plugins: [],
      HttpCompressionEnabled: false,
    }),
  );
  const child = spawn(binary, [config], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited (${child.exitCode}) before it served`);
    const ok = await fetch(`${url}/system`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('Orthanc did not answer /system within 20 s');
}

/**
 * POSTs every file to Orthanc's /instances in turn (one keep-alive connection) from a process of its own
 * (bench/orthanc-post.js), so that the reference does not share this process with the commons; the loop's wall seconds.
 */
async function orthancIngest(url: string, set: FileSet, root: string): Promise<number> {
  const list = join(root, `orthanc-files-${set.name.replace(/[^a-z0-9]+/gi, '-')}.json`);
  await writeFile(list, JSON.stringify(set.files));
  const child = spawn(process.execPath, [join(__dirname, 'orthanc-post.js'), url, list], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`the Orthanc client failed (${code}): ${err.trim()}`);
  return (JSON.parse(out) as { seconds: number }).seconds;
}

function rate(count: number, seconds: number): string {
  return `${(count / seconds).toFixed(1)} instances/s (${count} in ${seconds.toFixed(1)} s)`;
}

export async function run(): Promise<void> {
  const ingest = await runIngest({
    metered: false,
    slices: option('ct', 1000),
    radiographs: option('radiographs', 50),
    radiographSize: option('radiograph-size', 2048),
    functionWorkers: option('function-workers', DEFAULT_FUNCTION_WORKERS),
    log: (line) => console.log(line),
  });
  let orthanc: ChildProcess | undefined;
  const root = await mkdtemp(join(tmpdir(), 'hilum-bench-orthanc-'));
  try {
    for (const r of ingest.results) {
      const perInstance = (seconds: number) => ((seconds / r.set.files.length) * 1000).toFixed(0);
      const upload =
        r.uploadCpuSeconds === undefined ? '' : `, ${perInstance(r.uploadCpuSeconds)} ms of the upload client's CPU per instance`;
      const jvm =
        r.dynamodbLocalCpuSeconds === undefined
          ? ''
          : `, ${perInstance(r.dynamodbLocalCpuSeconds)} ms of DynamoDB Local's CPU per instance`;
      const other = r.otherThreadsCpuSeconds;
      const others = other
        ? `, ${perInstance(other.v8Platform)} ms in V8's platform threads, ${perInstance(other.libuvPool)} ms in libuv's pool, ${perInstance(other.otherWorkers)} ms in other worker threads`
        : '';
      console.log(
        `hilum   ${r.set.name}: ${rate(r.set.files.length, r.seconds)}, ${perInstance(r.cpuSeconds)} ms of the commons' CPU per instance ` +
          `(${perInstance(r.mainThreadCpuSeconds)} ms on its main thread, ${perInstance(r.s3ThreadCpuSeconds)} ms in its S3 thread, ${perInstance(r.functionThreadsCpuSeconds)} ms in its function threads${others})${upload}${jvm}`,
      );
    }
    const binary = orthancBinary();
    if (!binary) {
      console.log('Orthanc is not installed (apt-get install orthanc): the reference comparison is skipped.');
      return;
    }
    const started = await startOrthanc(binary, root);
    orthanc = started.child;
    for (const r of ingest.results) {
      const seconds = await orthancIngest(started.url, r.set, root);
      console.log(`orthanc ${r.set.name}: ${rate(r.set.files.length, seconds)}`);
      console.log(`ratio   ${r.set.name}: hilum's rate / Orthanc's = ${(seconds / r.seconds).toFixed(3)}x (target >= 0.5x)`);
    }
  } finally {
    orthanc?.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
    await ingest.cleanUp();
  }
}
