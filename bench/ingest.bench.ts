/**
 * `npm run bench ingest [-- --ct N --radiographs N --radiograph-size PX --keep]`: end-to-end ingest
 * through the site path (issue 21). A fresh `hilum start --no-sample` in its own process group; a
 * generated CT series (1,000 slices of 512 x 512, 16-bit, about 0.5 MB each) and a set of radiographs
 * (50 DX of 2,048 x 2,500 by default, one study each) uploaded by `hilum upload --wait` as a site
 * would (QA check at the site, presigned PUTs, sealed submissions, waiting for the pipeline's
 * outcome). Prints instances/s end to end for each set.
 *
 * The reference, when Debian's Orthanc is installed (`apt-get install orthanc`): the bench starts its
 * own Orthanc on a free loopback port with a throw-away storage folder and POSTs the same files to
 * its REST API (`/instances`) one after another over one keep-alive connection, as its own importer
 * does; it stores and indexes, without de-identification, verification or QA. Without Orthanc the
 * comparison is skipped with a note.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../cli/lib/api-client';
import { issueLocalToken } from '../local/auth/local-issuer';
import { HILUM_CLI, killGroup, startCommonsProcess, type Running } from '../test/support/commons-process';
import { makeDicom } from '../test/support/synthetic-dicom';

const PROJECT = 'bench-ingest';
const SITE = 'bench-site';

function option(name: string, fallback: number): number {
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

interface FileSet {
  readonly name: string;
  readonly folder: string;
  readonly files: readonly string[];
  readonly bytes: number;
}

async function writeCtSeries(root: string, slices: number): Promise<FileSet> {
  const folder = join(root, 'ct');
  await mkdir(folder, { recursive: true });
  const study = '1.2.826.0.1.3680043.10.1017.21.1';
  const files: string[] = [];
  let bytes = 0;
  for (let i = 1; i <= slices; i += 1) {
    const data = makeDicom({
      modality: 'CT',
      rows: 512,
      columns: 512,
      instanceNumber: i,
      studyInstanceUid: study,
      seriesInstanceUid: `${study}.1`,
      patient: { id: 'BENCH-CT-1', name: 'Bench^Ct' },
    });
    const path = join(folder, `slice-${String(i).padStart(4, '0')}.dcm`);
    await writeFile(path, data);
    files.push(path);
    bytes += data.byteLength;
  }
  return { name: `CT series (${slices} slices, 512 x 512)`, folder, files, bytes };
}

/**
 * A radiograph-like 12-bit image: a smooth elliptical "chest" of higher attenuation on a dark field
 * with mild noise, so the burned-in text check sees an image without text (a synthetic ramp's
 * stripes are nothing a site sends, and read as text-like texture).
 */
function radiographPixels(rows: number, columns: number, seed: number): ArrayBuffer {
  const pixels = new Uint16Array(rows * columns);
  let state = seed >>> 0 || 1;
  const noise = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff - 0.5) * 60;
  };
  const cy = rows / 2;
  const cx = columns / 2;
  for (let y = 0; y < rows; y += 1) {
    for (let x = 0; x < columns; x += 1) {
      const r = Math.hypot((x - cx) / (columns * 0.42), (y - cy) / (rows * 0.45));
      const body = r < 1 ? 2600 * Math.cos((r * Math.PI) / 2) ** 0.5 : 0;
      pixels[y * columns + x] = Math.max(0, Math.min(4095, Math.round(300 + body + noise())));
    }
  }
  return new Uint8Array(pixels.buffer).buffer;
}

async function writeRadiographs(root: string, count: number, size: number): Promise<FileSet> {
  const folder = join(root, 'dx');
  await mkdir(folder, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  for (let i = 1; i <= count; i += 1) {
    const study = `1.2.826.0.1.3680043.10.1017.21.2.${i}`;
    const rows = Math.round(size * 1.22);
    const data = makeDicom({
      modality: 'DX',
      rows,
      columns: size,
      elements: { '7FE00010': { vr: 'OW', Value: [radiographPixels(rows, size, i)] } },
      studyInstanceUid: study,
      seriesInstanceUid: `${study}.1`,
      burnedInAnnotation: 'NO',
      patient: { id: `BENCH-DX-${i}`, name: `Bench^Dx${i}` },
    });
    const path = join(folder, `dx-${String(i).padStart(3, '0')}.dcm`);
    await writeFile(path, data);
    files.push(path);
    bytes += data.byteLength;
  }
  return { name: `radiographs (${count}, ${size} x ${Math.round(size * 1.22)})`, folder, files, bytes };
}

/** `hilum upload FOLDER --wait` as a site runs it; resolves with the wall time in seconds. */
function uploadAndWait(set: FileSet, env: NodeJS.ProcessEnv, stateDir: string): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        HILUM_CLI,
        'upload',
        set.folder,
        '--project',
        PROJECT,
        '--site',
        SITE,
        '--wait',
        '--quiet',
        '--state',
        join(stateDir, `${set.name.length}-${Date.now()}.json`),
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve(seconds);
      else reject(new Error(`hilum upload of the ${set.name} exited ${code}:\n${output.slice(-4000)}`));
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

/** POSTs every file to Orthanc's /instances in turn (fetch keeps one connection alive); wall seconds. */
async function orthancIngest(url: string, set: FileSet): Promise<number> {
  const started = process.hrtime.bigint();
  for (const path of set.files) {
    const response = await fetch(`${url}/instances`, { method: 'POST', body: await readFile(path) });
    if (!response.ok) throw new Error(`Orthanc refused ${path}: ${response.status}`);
    await response.arrayBuffer();
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function rate(count: number, seconds: number): string {
  return `${(count / seconds).toFixed(1)} instances/s (${count} in ${seconds.toFixed(1)} s)`;
}

export async function run(): Promise<void> {
  const slices = option('ct', 1000);
  const radiographs = option('radiographs', 50);
  const radiographSize = option('radiograph-size', 2048);
  const keep = process.argv.includes('--keep');
  const root = await mkdtemp(join(tmpdir(), 'hilum-bench-ingest-'));
  const dataDir = join(root, 'commons');
  let commons: Running | undefined;
  let orthanc: ChildProcess | undefined;
  try {
    const sets = [
      await writeCtSeries(join(root, 'files'), slices),
      await writeRadiographs(join(root, 'files'), radiographs, radiographSize),
    ];
    for (const set of sets) console.log(`generated ${set.name}: ${set.files.length} files, ${(set.bytes / 1e6).toFixed(0)} MB`);

    const port = await freePort();
    commons = await startCommonsProcess({ dataDir, port, logFile: join(root, 'commons.log'), timeoutMs: 180_000 });
    const apiUrl = `http://127.0.0.1:${port}`;
    const curator = new HilumApi(apiUrl, await issueLocalToken({ dataDir, groups: ['curator'], username: 'bench-curator' }));
    await curator.request('POST', '/projects', { projectId: PROJECT, name: PROJECT, availability: 'open', sites: [SITE] });
    const siteToken = await issueLocalToken({ dataDir, groups: [`site-uploader:${SITE}`], username: 'bench-uploader' });
    const env = { ...process.env, HILUM_API_URL: apiUrl, HILUM_TOKEN: siteToken, XDG_STATE_HOME: join(root, 'state') };

    const hilumSeconds: number[] = [];
    for (const set of sets) {
      const seconds = await uploadAndWait(set, env, root);
      hilumSeconds.push(seconds);
      console.log(`hilum   ${set.name}: ${rate(set.files.length, seconds)}`);
    }
    await killGroup(commons);
    commons = undefined;

    const binary = orthancBinary();
    if (!binary) {
      console.log('Orthanc is not installed (apt-get install orthanc): the reference comparison is skipped.');
      return;
    }
    const started = await startOrthanc(binary, root);
    orthanc = started.child;
    for (const [i, set] of sets.entries()) {
      const seconds = await orthancIngest(started.url, set);
      const hilum = hilumSeconds[i]!;
      console.log(`orthanc ${set.name}: ${rate(set.files.length, seconds)}`);
      console.log(`ratio   ${set.name}: hilum / Orthanc rate = ${(seconds / hilum).toFixed(3)}x (target >= 0.5x)`);
    }
  } finally {
    orthanc?.kill('SIGKILL');
    if (commons) await killGroup(commons);
    if (keep) console.log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}
