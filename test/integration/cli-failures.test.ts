/**
 * How the CLI fails, as a user meets it (issue 16, problem 5): the first refused
 * token, missing role, wrong URL or unreachable API stops the run once with its
 * remedy; input mistakes are usage errors (exit 2) found before any work, in one line.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { createProject } from '../support/projects';
import { runCli, waitUntil } from '../support/run-cli';
import { makeDicom, makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(180_000);

const OBJECTS = 5;

/** A manifest of objects nobody has: enough for calls the API refuses before it looks them up. */
function manifest(): string {
  const objects = Array.from({ length: OBJECTS }, (_, i) => ({
    objectId: `obj-${i}`,
    studyUid: '1.2.3',
    seriesUid: '1.2.3.4',
    sopUid: `1.2.3.4.${i}`,
    size: 10,
    sha256: 'a'.repeat(64),
  }));
  return JSON.stringify({ schema: 'hilum-manifest/1', objects });
}

/** A port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('CLI failures', () => {
  let root: string;
  let manifestPath: string;
  let folder: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hilum-cli-failures-'));
    manifestPath = join(root, 'manifest.json');
    await writeFile(manifestPath, manifest());
    folder = join(root, 'export');
    await mkdir(folder);
    await Promise.all(makeSeries(3, { modality: 'CT' }).map((bytes, i) => writeFile(join(folder, `IM${i}.dcm`), bytes)));
    env = { XDG_STATE_HOME: join(root, 'state'), HILUM_TOKEN: 'some-token', HILUM_API_URL: `http://127.0.0.1:${await closedPort()}` };
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('without a commons', () => {
    it('hilum qa of a folder that does not exist is an input error (2), not "would be quarantined"', async () => {
      const { code, stderr } = await runCli(['qa', join(root, 'nonexistent')], { env }).exited;
      expect(code).toBe(2);
      expect(stderr).toContain('does not exist');
    });

    it('refuses --jobs abc before scanning or checking anything', async () => {
      const { code, stdout, stderr } = await runCli(['upload', folder, '--project', 'p1', '--site', 'site-a', '--jobs', 'abc'], { env })
        .exited;
      expect(code).toBe(2);
      expect(stderr).toContain("--jobs must be a non-negative integer, not 'abc'");
      expect(stdout).toBe('');
    });

    it('prints a usage error as one line that points to --help, not the whole help', async () => {
      const { code, stderr } = await runCli(['download'], { env }).exited;
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([expect.stringContaining("see 'hilum download --help'")]);
    });

    it('says once that the API cannot be reached, with the URL tried (5)', async () => {
      const { code, stdout, stderr } = await runCli(['download', manifestPath, '--out', join(root, 'out-unreachable')], { env }).exited;
      expect(code).toBe(5);
      expect(stderr.match(/cannot reach the hilum API at/g)).toHaveLength(1);
      expect(stderr).toContain(env.HILUM_API_URL!);
      expect(stderr).toContain('npx hilum start');
      expect(stdout).not.toContain('every file checked');
    });
  });

  describe('output for scripts and people (--json, --quiet, --dry-run, units)', () => {
    it('download --dry-run --json --max-rate 1M says what it would fetch in one JSON document, fetching nothing', async () => {
      const { code, stdout, stderr } = await runCli(
        ['download', manifestPath, '--out', join(root, 'out-dry'), '--dry-run', '--json', '--max-rate', '1M'],
        { env },
      ).exited;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(stdout)).toMatchObject({ dryRun: true, objects: OBJECTS, toDownload: OBJECTS, bytes: OBJECTS * 10 });
    });

    it('upload --dry-run --json lists the files it would send, without a submission, and no progress of its QA check', async () => {
      const { code, stdout, stderr } = await runCli(
        ['upload', folder, '--project', 'p1', '--site', 'site-a', '--dry-run', '--json', '--max-rate', '500k'],
        // Off a terminal progress is printed as plain lines this often, unless --json (as download) silences it.
        { env: { ...env, HILUM_PROGRESS_SECONDS: '0.001' } },
      ).exited;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(stdout)).toMatchObject({ dryRun: true, files: ['IM0.dcm', 'IM1.dcm', 'IM2.dcm'] });
    });

    it('refuses a rate it cannot read, naming the units it takes', async () => {
      const { code, stderr } = await runCli(['download', manifestPath, '--max-rate', 'fast'], { env }).exited;
      expect(code).toBe(2);
      expect(stderr).toContain('1M');
    });

    it('hilum qa --quiet prints nothing on a clean folder and exits 0', async () => {
      const { code, stdout, stderr } = await runCli(['qa', folder, '--quiet'], { env }).exited;
      expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
    });

    it('hilum deid --json prints its summary as one JSON document', async () => {
      const secret = join(root, 'deid.key');
      await writeFile(secret, 'b'.repeat(64));
      const { code, stdout } = await runCli(['deid', folder, join(root, 'deid-out'), '--secret-file', secret, '--json'], { env }).exited;
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ files: 3, outcomes: { ok: 3, failed: 0 } });
    });
  });

  describe('with a commons', () => {
    let commons: LocalCommons;

    beforeAll(async () => {
      commons = await startLocalCommons({
        dataDir: join(root, 'commons'),
        reset: true,
        ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
        handlerLogLevel: 'ERROR',
      });
      await createProject(commons.apiUrl, await commons.issueToken(['curator'], 'curator-1'), 'single-file', ['site-a']);
    });
    afterAll(async () => {
      await commons?.stop();
    });

    it('stops a download at the first refused token, once, with how to get one (4)', async () => {
      const { code, stdout, stderr } = await runCli(['download', manifestPath, '--out', join(root, 'out-401'), '--jobs', '2'], {
        env: { ...env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: 'not-a-token' },
      }).exited;
      expect(code).toBe(4);
      expect(stderr.match(/refused the token/g)).toHaveLength(1);
      expect(stderr).toContain('npx hilum token --group');
      expect(stderr).not.toMatch(/^failed /m);
      expect(stdout).not.toContain('every file checked');
    });

    it('says which role is missing when the token lacks it (4)', async () => {
      const curator = await commons.issueToken(['curator'], 'curator-2');
      const { code, stderr } = await runCli(['upload', folder, '--project', 'single-file', '--site', 'site-a', '--no-qa'], {
        env: { ...env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: curator },
      }).exited;
      expect(code).toBe(4);
      expect(stderr).toContain('site-uploader:<site>');
    });

    it('explains /v1 on a local URL instead of reporting an access problem per object', async () => {
      const researcher = await commons.issueToken(['researcher'], 'researcher-1');
      const { code, stderr } = await runCli(['download', manifestPath, '--out', join(root, 'out-v1')], {
        env: { ...env, HILUM_API_URL: `${commons.apiUrl}/v1`, HILUM_TOKEN: researcher },
      }).exited;
      expect(code).toBe(2);
      expect(stderr.match(/no such route/g)).toHaveLength(1);
      expect(stderr).toContain('without /v1');
    });

    it('Ctrl-C says how to resume, after plain progress lines off a terminal', async () => {
      const slow = join(root, 'slow');
      await mkdir(slow);
      await Promise.all(makeSeries(6, { modality: 'CT' }).map((bytes, i) => writeFile(join(slow, `S${i}.dcm`), bytes)));
      const site = await commons.issueToken(['site-uploader:site-a'], 'uploader-a');
      const upload = runCli(
        ['upload', slow, '--project', 'single-file', '--site', 'site-a', '--no-qa', '--jobs', '1', '--max-rate', '20k'],
        {
          env: { ...env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: site, HILUM_PROGRESS_SECONDS: '0.2' },
        },
      );
      await waitUntil(() => /upload \[/.test(upload.output.stderr), 60_000, 'a progress line');
      upload.child.kill('SIGINT');
      const { code, stderr } = await upload.exited;
      expect(code).toBe(130);
      expect(stderr).toMatch(/interrupted; .*Run the same command to resume: npx hilum upload .*slow/);
    });

    it('uploads a single file', async () => {
      const file = join(root, 'one.dcm');
      await writeFile(file, makeDicom({ modality: 'CT' }));
      const site = await commons.issueToken(['site-uploader:site-a'], 'uploader-a');
      const { code, stdout, stderr } = await runCli(['upload', file, '--project', 'single-file', '--site', 'site-a'], {
        env: { ...env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: site },
      }).exited;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/1 uploaded.*sealed/);
    });
  });
});
