/**
 * A site's path with `hilum upload`: the QA check holds back a file that would be
 * quarantined (nothing leaves), and `--deid-at-site` sends only de-identified
 * bytes, which are exactly what the pipeline itself would have published from
 * the originals (same pseudonyms, UIDs, bytes) for the same project secret.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { createProject } from '../support/projects';
import { HilumApi } from '../../cli/lib/api-client';
import { parseDicom } from '../../layers/dicom';
import { writeDeidSecretFile } from '../support/local-clients';
import { folderStateDir } from '../../cli/lib/state-dir';

jest.setTimeout(180_000);

const CLI = join(__dirname, '../../cli/bin/hilum.js');
const SERIES = join(__dirname, '../../samples/ct-head-series');
const BURNED_IN = join(__dirname, '../fixtures/dicom/patient-77654033/cr-cspine/CR1_6154_burned_in_annotation_flag.dcm');

describe('site intake with hilum upload', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let token: string;
  let researcher: HilumApi;
  let secretFile: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-site-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    token = await commons.issueToken(['site-uploader:site-a'], 'uploader-a');
    await createProject(commons.apiUrl, await commons.issueToken(['curator'], 'curator-1'), 'site-study', ['site-a']);
    researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher']));
    // What an operator hands a site: the project's de-identification secret.
    secretFile = await writeDeidSecretFile(commons, 'site-study', join(dataDir, 'secret.key'));
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const stateHome = () => join(dataDir, 'state');

  async function folderOf(name: string, files: string[]): Promise<string> {
    const folder = join(dataDir, name);
    await mkdir(folder, { recursive: true });
    for (const file of files) await copyFile(file, join(folder, file.split('/').pop()!));
    return folder;
  }

  const series = async () =>
    (await readdir(SERIES))
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => join(SERIES, f));

  it('holds everything back when a file would be quarantined, and uploads nothing', async () => {
    const folder = await folderOf('with-burned-in', [...(await series()), BURNED_IN]);
    const { code, stderr } = await runCli(['upload', folder, '--project', 'site-study', '--site', 'site-a']);
    expect(code).toBe(3);
    expect(stderr).toMatch(/held back CR1_6154_burned_in_annotation_flag\.dcm: would be quarantined by .*pixel-review/);
    expect(stderr).toContain('nothing uploaded');
    await expect(stat(join(folder, '.hilum-upload.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('publishes de-identified-at-site files identical to what the pipeline makes from the originals', async () => {
    const originals = await folderOf('originals', await series());
    const raw = await runCli(['upload', originals, '--project', 'site-study', '--site', 'site-a']);
    expect(raw).toMatchObject({ code: 0 });
    await commons.idle();
    const [study] = (await researcher.listStudies({ project: 'site-study' })).studies;
    expect(study).toMatchObject({ instanceCount: 4 });
    const pipelineFiles = await download(study!.studyUid);

    const atSite = await folderOf('at-site', await series());
    await writeFile(join(atSite, '..', 'cases.csv'), 'case_id,sex,age_at_index,covid19_positive\n77654033,Male,42,No\n');
    const deid = await runCli(
      [
        'upload',
        atSite,
        '--project',
        'site-study',
        '--site',
        'site-a',
        '--deid-at-site',
        '--secret-file',
        secretFile,
        '--clinical',
        join(atSite, '..', 'cases.csv'),
      ],
      { HILUM_DEID_SECRET: '' },
    );
    expect(deid.stderr).toBe('');
    expect(deid).toMatchObject({ code: 0 });
    expect(deid.stdout).toContain('de-identified at the site: 4 files');
    await commons.idle();

    // Only de-identified bytes left the site: the copies it sent carry no original identifier.
    const copies = join(folderStateDir(atSite, { XDG_STATE_HOME: stateHome() }), 'deid');
    const sent = await Promise.all((await readdir(copies)).map((f) => readFile(join(copies, f))));
    // The copies live in the state directory, never in the site's folder.
    expect((await readdir(atSite)).filter((f) => f.startsWith('.'))).toEqual([]);
    for (const bytes of sent) {
      expect(bytes.includes(Buffer.from('77654033'))).toBe(false);
      expect(parseDicom(bytes).summary.studyInstanceUid).toBe(study!.studyUid);
    }
    // The same study, not a second one, and byte-identical to the pipeline's own output.
    const studies = (await researcher.listStudies({ project: 'site-study' })).studies;
    expect(studies).toHaveLength(1);
    expect(studies[0]).toMatchObject({ instanceCount: 4 });
    const sentByHash = new Set(sent.map((b) => b.toString('base64')));
    for (const bytes of pipelineFiles) expect(sentByHash.has(bytes.toString('base64'))).toBe(true);
  });

  it("quarantines files a site de-identified with another secret than the project's", async () => {
    const folder = await folderOf('wrong-key', (await series()).slice(0, 1));
    const wrongKey = join(dataDir, 'wrong.key');
    await writeFile(wrongKey, 'f'.repeat(64), { mode: 0o600 });
    const { code, stdout } = await runCli(
      ['upload', folder, '--project', 'site-study', '--site', 'site-a', '--deid-at-site', '--secret-file', wrongKey],
      { HILUM_DEID_SECRET: '' },
    );
    expect(code).toBe(0);
    await commons.idle();
    const submissionId = /submission (\S+):/.exec(stdout)![1]!;
    const submission = await new HilumApi(commons.apiUrl, token).getSubmission(submissionId);
    expect(submission).toMatchObject({ status: 'published', stagedCount: 0, quarantinedCount: 1 });
    expect(submission.files[0]).toMatchObject({ status: 'quarantined', reasonCode: 'VerificationFailed' });
    expect(submission.files[0]!.reason).toContain('project-key');
  });

  async function download(studyUid: string): Promise<Buffer[]> {
    const { files } = await researcher.studyFiles(studyUid);
    return Promise.all(files.map(async (f) => Buffer.from(await (await fetch(f.url)).arrayBuffer())));
  }

  function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: token, XDG_STATE_HOME: stateHome(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }
});
