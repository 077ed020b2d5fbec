/**
 * `hilum gateway` with dcmtk as the PACS: echoscu and storescu talk DICOM to it,
 * the gateway is killed right after acknowledging a CT series and restarted, and
 * the study still ends up published. A calling AE title not on the list is refused.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { createProject } from '../support/projects';
import { HilumApi } from '../../cli/lib/api-client';
import { writeDeidSecretFile } from '../support/local-clients';

jest.setTimeout(180_000);

const run = promisify(execFile);
const CLI = join(__dirname, '../../cli/bin/hilum.js');
const SERIES = join(__dirname, '../../samples/ct-head-series');

describe('hilum gateway', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let token: string;
  let port: number;
  let gateway: ChildProcess | undefined;
  let secretFile: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-gateway-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    token = await commons.issueToken(['site-uploader:site-a'], 'gateway-a');
    await createProject(commons.apiUrl, await commons.issueToken(['curator'], 'curator-1'), 'gateway-study', ['site-a']);
    port = await freePort();
    secretFile = await writeDeidSecretFile(commons, 'gateway-study', join(dataDir, 'secret.key'));
  });

  afterAll(async () => {
    gateway?.kill('SIGKILL');
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const spool = () => join(dataDir, 'spool');

  function startGateway(quietSeconds: number, secret = secretFile, spoolDir = spool()): { child: ChildProcess; output: () => string } {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'gateway',
        '--project',
        'gateway-study',
        '--site',
        'site-a',
        '--port',
        String(port),
        '--spool',
        spoolDir,
        '--quiet',
        String(quietSeconds),
        '--allow',
        'PACS1',
        '--secret-file',
        secret,
      ],
      {
        env: { ...process.env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    gateway = child;
    return { child, output: () => output };
  }

  it('answers C-ECHO from an allowed AE title and refuses one not on the list', async () => {
    const { child, output } = startGateway(300);
    await waitFor(async () => output().includes('listening'), 30_000);
    await expect(run('echoscu', ['-aet', 'PACS1', '-aec', 'HILUM', '127.0.0.1', String(port)])).resolves.toBeDefined();
    await expect(run('echoscu', ['-aet', 'INTRUDER', '-aec', 'HILUM', '127.0.0.1', String(port)])).rejects.toMatchObject({
      stderr: expect.stringContaining('Calling AE Title Not Recognized'),
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  });

  it('spools a CT series byte for byte, survives a kill after acknowledging it, and publishes it after restart', async () => {
    const files = (await readdir(SERIES)).filter((f) => f.endsWith('.dcm')).map((f) => join(SERIES, f));
    const first = startGateway(300);
    await waitFor(async () => first.output().includes('listening'), 30_000);
    await run('storescu', ['-aet', 'PACS1', '-aec', 'HILUM', '127.0.0.1', String(port), ...files]);
    first.child.kill('SIGKILL'); // acknowledged, not yet uploaded
    await new Promise((r) => first.child.once('close', r));

    const [study] = await readdir(join(spool(), 'studies'));
    const spooled = await readdir(join(spool(), 'studies', study!));
    expect(spooled.filter((f) => f.endsWith('.dcm'))).toHaveLength(files.length);
    const originals = new Set(await Promise.all(files.map(async (f) => dataSetBytes(await readFile(f)))));
    for (const name of spooled) {
      const dataSet = dataSetBytes(await readFile(join(spool(), 'studies', study!, name)));
      expect(originals.has(dataSet)).toBe(true);
    }

    const second = startGateway(1);
    await waitFor(async () => second.output().includes('uploaded as submission'), 60_000);
    await commons.idle();
    const researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher']));
    const published = (await researcher.listStudies()).studies.filter((s) => s.project === 'gateway-study');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ modalities: ['CT'], instanceCount: files.length });
    // De-identified at the site: what was published never held the original patient id.
    const { files: released } = await researcher.studyFiles(published[0]!.studyUid);
    for (const file of released) {
      const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
      expect(bytes.includes(Buffer.from('77654033'))).toBe(false);
    }
    const submissionId = /uploaded as submission (\S+)/.exec(second.output())![1]!;
    await waitFor(
      async () => second.output().includes(`submission ${submissionId} published: ${files.length} instance(s), none quarantined`),
      30_000,
    );
    expect(await new HilumApi(commons.apiUrl, token).getSubmission(submissionId)).toMatchObject({
      deidentifiedAtSite: true,
      stagedCount: files.length,
    });
    expect(await readdir(join(spool(), 'studies'))).toEqual([]);
    expect(await readdir(join(spool(), 'uploading'))).toEqual([]);
    // The study folder is gone; the spool still tells what was sent and what became of it.
    const { stdout } = await run(process.execPath, [CLI, 'gateway', 'status', '--spool', spool()]);
    expect(stdout).toContain(`submission ${submissionId} (study ${study!.slice(0, 12)}, ${files.length} instance(s), sent `);
    expect(stdout).toContain(`published, ${files.length} staged, none quarantined`);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('close', r));
  });

  it("reports a study whose instances were quarantined, with each instance's reason and what to do", async () => {
    // A secret that is not the project's: the commons cannot verify the site's de-identification.
    const wrongSecret = join(dataDir, 'wrong.key');
    await writeFile(wrongSecret, randomBytes(32).toString('hex'));
    const files = (await readdir(SERIES))
      .filter((f) => f.endsWith('.dcm'))
      .slice(0, 2)
      .map((f) => join(SERIES, f));
    const gateway = startGateway(1, wrongSecret, join(dataDir, 'spool-wrong-key'));
    await waitFor(async () => gateway.output().includes('listening'), 30_000);
    await run('storescu', ['-aet', 'PACS1', '-aec', 'HILUM', '127.0.0.1', String(port), ...files]);
    await waitFor(async () => /2 of 2 instance\(s\) quarantined/.test(gateway.output()), 90_000);
    const lines = gateway.output().split('\n');
    expect(lines.filter((line) => / {2}quarantined \S+\.dcm: VerificationFailed: .*project-key/.test(line))).toHaveLength(2);
    expect(gateway.output()).toContain("the de-identification secret used here is not the project's");
    // hilum gateway status says the same from the spool, after the fact.
    const status = async () =>
      JSON.parse(
        (await run(process.execPath, [CLI, 'gateway', 'status', '--spool', join(dataDir, 'spool-wrong-key'), '--json'])).stdout,
      ) as {
        spools: {
          submissions: { instances: number; verdict?: { staged: number; quarantined: number; reasons: Record<string, number> } }[];
        }[];
      };
    await waitFor(async () => (await status()).spools[0]?.submissions[0]?.verdict !== undefined, 10_000);
    const [sent] = (await status()).spools[0]!.submissions;
    expect(sent).toMatchObject({ instances: 2, verdict: { staged: 0, quarantined: 2 } });
    expect(Object.entries(sent!.verdict!.reasons)).toEqual([[expect.stringMatching(/^VerificationFailed: .*project-key/), 2]]);
    gateway.child.kill('SIGTERM');
    await new Promise((r) => gateway.child.once('close', r));
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The bytes after the File Meta group: what the sender sent over the network. */
function dataSetBytes(file: Buffer): string {
  expect(file.toString('latin1', 128, 132)).toBe('DICM');
  const groupLength = file.readUInt32LE(140); // (0002,0000) UL, Explicit VR LE, value at 132 + 8
  return file.subarray(144 + groupLength).toString('hex');
}
