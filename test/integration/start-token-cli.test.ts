/**
 * `hilum start` and `hilum token` as a user runs them, from different folders:
 * the token signs with the key of the commons that runs (found through the note
 * `hilum start` leaves in the state directory), or is refused; never a new key.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, waitUntil, type CliRun } from '../support/run-cli';

jest.setTimeout(120_000);

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('hilum token and hilum start', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let elsewhere: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hilum-start-token-'));
    elsewhere = join(root, 'somewhere-else');
    await mkdir(elsewhere);
    env = { XDG_STATE_HOME: join(root, 'state'), HILUM_TOKEN: '', HILUM_API_URL: '' };
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses, naming how to start a commons, when none runs and the folder has no key, and creates no key', async () => {
    const { code, stderr } = await runCli(['token', '--group', 'researcher'], { env, cwd: elsewhere }).exited;
    expect(code).toBe(2);
    expect(stderr).toMatch(/no running local commons found/);
    expect(stderr).toContain('npx hilum start');
    expect(await exists(join(elsewhere, '.hilum'))).toBe(false);
  });

  it('refuses a --data-dir no commons has used, and creates no key there', async () => {
    const unused = join(root, 'unused');
    const { code, stderr } = await runCli(['token', '--group', 'researcher', '--data-dir', unused], { env, cwd: elsewhere }).exited;
    expect(code).toBe(2);
    expect(stderr).toContain(`no local commons has used ${unused}`);
    expect(await exists(unused)).toBe(false);
  });

  describe('with a commons running', () => {
    let commons: CliRun;
    let apiUrl: string;

    beforeAll(async () => {
      commons = runCli(['start', '--data-dir', join(root, 'commons'), '--port', '0', '--no-sample'], { env, cwd: root });
      await waitUntil(() => /is running/.test(commons.output.stdout), 90_000, 'the local commons');
      apiUrl = /API\s+(http:\/\/\S+)/.exec(commons.output.stdout)![1]!;
    });
    afterAll(async () => {
      commons.child.kill('SIGINT');
      await commons.exited;
    });

    it('signs, from another folder, a token the running commons accepts', async () => {
      const { code, stdout, stderr } = await runCli(['token', '--group', 'researcher'], { env, cwd: elsewhere }).exited;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const response = await fetch(`${apiUrl}/studies`, { headers: { authorization: `Bearer ${stdout.trim()}` } });
      expect(response.status).toBe(200);
      expect(await exists(join(elsewhere, '.hilum'))).toBe(false);
    });

    it('names a busy port and how to choose another', async () => {
      const port = new URL(apiUrl).port;
      const { code, stderr } = await runCli(['start', '--data-dir', join(root, 'second'), '--port', port, '--no-sample'], {
        env,
        cwd: root,
      }).exited;
      expect(code).toBe(5);
      expect(stderr).toContain(`port ${port} of 127.0.0.1 is busy`);
      expect(stderr).toContain('--port 0');
    });

    it('forgets the commons once it stopped: the token is refused again', async () => {
      commons.child.kill('SIGINT');
      await commons.exited;
      const { code, stderr } = await runCli(['token', '--group', 'researcher'], { env, cwd: elsewhere }).exited;
      expect(code).toBe(2);
      expect(stderr).toMatch(/no running local commons found/);
    });
  });
});
