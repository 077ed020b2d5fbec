/**
 * `hilum upload` against the local commons as a site runs it: a separate process,
 * killed half-way and run again. Every file must reach the intake bucket exactly
 * once and the study must be published.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { createProject } from '../support/projects';
import { HilumApi } from '../../cli/lib/api-client';
import { folderStateDir } from '../../cli/lib/state-dir';
import { loadUploadState } from '../../cli/lib/upload-state';
import { makeDicom, makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(180_000);

const CLI = join(__dirname, '../../cli/bin/hilum.js');
const FILES = 24;

describe('hilum upload', () => {
  let dataDir: string;
  let folder: string;
  let commons: LocalCommons;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-upload-'));
    // Small enough that a ~19 MiB radiograph goes up in three 8 MiB parts.
    process.env.MULTIPART_THRESHOLD_BYTES = String(6 * 1024 * 1024);
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    token = await commons.issueToken(['site-uploader:site-a'], 'uploader-a');
    const curatorToken = await commons.issueToken(['curator'], 'curator-1');
    for (const project of ['upload-study', 'large-upload']) await createProject(commons.apiUrl, curatorToken, project, ['site-a']);
    folder = join(dataDir, 'export');
    await mkdir(join(folder, 'series-1'), { recursive: true });
    const series = makeSeries(FILES, { modality: 'CT' });
    await Promise.all(series.map((bytes, i) => writeFile(join(folder, 'series-1', `IM${String(i).padStart(4, '0')}.dcm`), bytes)));
    await writeFile(join(folder, 'README.txt'), 'exported by the PACS\n');
  });

  afterAll(async () => {
    delete process.env.MULTIPART_THRESHOLD_BYTES;
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('resumes after being killed mid-way and uploads each file exactly once, moving the state out of the folder', async () => {
    // The first run writes its state where earlier versions did (FOLDER/.hilum-upload.json);
    // the second, with the default, moves it to the state directory and resumes from it.
    const legacyPath = join(folder, '.hilum-upload.json');
    const statePath = join(folderStateDir(folder, { XDG_STATE_HOME: join(dataDir, 'state') }), 'upload-state.json');
    const args = ['upload', folder, '--project', 'upload-study', '--site', 'site-a', '--jobs', '1'];

    const first = runCli([...args, '--max-rate', '20000', '--state', legacyPath]);
    await waitFor(async () => uploadedCount(legacyPath).then((n) => n >= 5), 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await uploadedCount(legacyPath);
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThan(FILES);

    const second = runCli(args);
    const { code, stdout, stderr } = await second.exited;
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stderr).toMatch(/skipped README.txt: .*not a DICOM Part 10 file/);
    expect(stdout).toMatch(/already there/);
    expect(stdout).toContain('sealed');
    expect(stdout).toContain(`moved the upload state from ${legacyPath} to ${statePath}`);
    expect((await readdir(folder)).filter((f) => f.startsWith('.'))).toEqual([]);

    await commons.idle();
    const state = JSON.parse(await readFile(statePath, 'utf8')) as {
      submissionId: string;
      sealed: boolean;
      files: Record<string, { fileId: string; status: string }>;
    };
    expect(state.sealed).toBe(true);
    expect(Object.values(state.files).filter((f) => f.status === 'uploaded')).toHaveLength(FILES);

    const puts = new Map<string, number>();
    for (const delivered of commons.events()) {
      const key = (delivered.event.detail as { object?: { key?: string } }).object?.key ?? '';
      if (delivered.event['detail-type'] === 'Object Created' && key.startsWith(`intake/${state.submissionId}/`))
        puts.set(key, (puts.get(key) ?? 0) + 1);
    }
    expect(puts.size).toBe(FILES);
    expect([...puts.values()].every((n) => n === 1)).toBe(true);

    const site = new HilumApi(commons.apiUrl, token);
    const submission = await site.getSubmission(state.submissionId);
    expect(submission.files.filter((f) => f.status !== 'staged').map((f) => `${f.reasonCode}: ${f.reason}`)).toEqual([]);
    expect(submission).toMatchObject({ status: 'published', fileCount: FILES, stagedCount: FILES });
    // What --wait looks at until the publication: the submission's status and counts, without its files.
    const counts = await site.getSubmissionCounts(state.submissionId);
    expect(counts).toMatchObject({ status: 'published', fileCount: FILES, stagedCount: FILES, quarantinedCount: 0 });
    expect(Object.keys(counts)).not.toContain('files');
    expect(Object.keys(counts)).not.toContain('waiting');
  });

  it('sends a large radiograph in parallel multipart parts and it is published intact', async () => {
    const large = join(dataDir, 'large');
    await mkdir(large, { recursive: true });
    const radiograph = makeDicom({
      modality: 'DX',
      rows: 3000,
      columns: 3200,
      studyInstanceUid: '1.2.826.0.1.3680043.8.498.55.1',
      seriesInstanceUid: '1.2.826.0.1.3680043.8.498.55.2',
    });
    expect(radiograph.byteLength).toBeGreaterThan(16 * 1024 * 1024);
    await writeFile(join(large, 'chest.dcm'), radiograph);
    const { code, stderr } = await runCli(['upload', large, '--project', 'large-upload', '--site', 'site-a', '--no-qa']).exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    await commons.idle();
    const state = JSON.parse(
      await readFile(join(folderStateDir(large, { XDG_STATE_HOME: join(dataDir, 'state') }), 'upload-state.json'), 'utf8'),
    ) as {
      submissionId: string;
      files: Record<string, { parts?: Record<string, string> }>;
    };
    expect(Object.keys(state.files['chest.dcm']!.parts ?? {})).toHaveLength(3);
    const site = new HilumApi(commons.apiUrl, token);
    expect(await site.getSubmission(state.submissionId)).toMatchObject({ status: 'published', stagedCount: 1 });
  });

  it('names quarantined files by their paths, each rule once, and says what to do next', async () => {
    const burned = join(dataDir, 'burned');
    await mkdir(join(burned, 'scans'), { recursive: true });
    const uids = { studyInstanceUid: '1.2.826.0.1.3680043.8.498.56.1', seriesInstanceUid: '1.2.826.0.1.3680043.8.498.56.2' };
    await writeFile(join(burned, 'scans', 'clean.dcm'), makeDicom({ modality: 'CT', ...uids }));
    await writeFile(
      join(burned, 'scans', 'burned.dcm'),
      makeDicom({ modality: 'CT', ...uids, elements: { '00280301': { vr: 'CS', Value: ['YES'] } } }),
    );
    const { code, stdout } = await runCli(['upload', burned, '--project', 'upload-study', '--site', 'site-a', '--no-qa', '--wait']).exited;
    expect(code).toBe(3);
    const quarantined = stdout.split('\n').filter((line) => line.includes('quarantined scans/'));
    expect(quarantined).toEqual([expect.stringMatching(/^ {2}quarantined scans\/burned\.dcm: deid\.pixel-review: \S/)]);
    expect(quarantined[0]!.split('deid.pixel-review')).toHaveLength(2);
    expect(stdout).not.toMatch(/quarantined [0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(stdout).toMatch(/next: .*upload it as a new submission/);
    const reportPath = /QA report, your files by name: (\S+)/.exec(stdout)?.[1];
    expect(reportPath?.startsWith(join(dataDir, 'state', 'hilum'))).toBe(true);
    expect(await readFile(reportPath!, 'utf8')).toContain('scans/burned.dcm');
  });

  it('with --force sends what the check would hold back, the check beside the upload, and reports its verdict', async () => {
    const forced = join(dataDir, 'forced');
    await mkdir(join(forced, 'scans'), { recursive: true });
    const uids = { studyInstanceUid: '1.2.826.0.1.3680043.8.498.57.1', seriesInstanceUid: '1.2.826.0.1.3680043.8.498.57.2' };
    await writeFile(join(forced, 'scans', 'clean.dcm'), makeDicom({ modality: 'CT', ...uids }));
    await writeFile(
      join(forced, 'scans', 'burned.dcm'),
      makeDicom({ modality: 'CT', ...uids, instanceNumber: 2, elements: { '00280301': { vr: 'CS', Value: ['YES'] } } }),
    );
    const base = ['upload', forced, '--project', 'upload-study', '--site', 'site-a'];
    // Without --force the check holds the upload back: nothing is sent.
    const refused = await runCli(base).exited;
    expect(refused.code).toBe(3);
    expect(refused.stdout).toContain('qa: 0 pass, 1 warn, 1 would be quarantined');
    expect(refused.stderr).toContain('nothing uploaded');
    // A --qa-config that cannot be read stops a --force upload before anything is sent.
    const wrong = await runCli([...base, '--force', '--qa-config', join(forced, 'missing.json')]).exited;
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).not.toContain('submission ');

    const { code, stdout } = await runCli([...base, '--force', '--wait']).exited;
    expect(code).toBe(3);
    expect(stdout).toContain('qa: 0 pass, 1 warn, 1 would be quarantined');
    expect(stdout).toMatch(/submission \S+: 2 uploaded/);
    expect(stdout.split('\n').filter((line) => line.includes('quarantined scans/'))).toEqual([
      expect.stringMatching(/^ {2}quarantined scans\/burned\.dcm: deid\.pixel-review: \S/),
    ]);
  });

  it('refuses to run without a token, explaining how to get one', async () => {
    const { code, stderr } = await runCli(['upload', folder, '--project', 'p1', '--site', 'site-a'], { HILUM_TOKEN: '' }).exited;
    expect(code).toBe(2);
    expect(stderr).toContain('HILUM_TOKEN');
  });

  function runCli(
    args: string[],
    env: Record<string, string> = {},
  ): { child: ChildProcess; exited: Promise<{ code: number | null; stdout: string; stderr: string }> } {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: token, XDG_STATE_HOME: join(dataDir, 'state'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    );
    return { child, exited };
  }
});

/** Files the running upload has recorded as sent: the state file and its journal, read as a resumed run reads them. */
async function uploadedCount(statePath: string): Promise<number> {
  try {
    const state = await loadUploadState(statePath);
    return Object.values(state?.files ?? {}).filter((f) => f.status === 'uploaded').length;
  } catch {
    return 0;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
