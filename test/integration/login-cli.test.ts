/**
 * `hilum login`, `whoami` and `logout` against a stand-in for Cognito's user-pool API
 * (test/support/cognito-stand-in.ts: the server side of SRP, required TOTP MFA, refresh
 * and revocation) through the real AWS SDK client, as a user runs them: a first sign-in with
 * an administrator's temporary password (new password, authenticator set-up), a second one
 * with the authenticator's code, a wrong password, the refresh of a token about to expire,
 * and the end of the session. ID tokens are minted by the local commons' issuer, so the API
 * accepts what the login keeps.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refreshSession, SignInError } from '../../cli/lib/cognito-sign-in';
import { connect } from '../../cli/lib/connection';
import { issueLocalToken } from '../../local/auth/local-issuer';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { startCognitoStandIn, type CognitoStandIn } from '../support/cognito-stand-in';
import { CLI } from '../support/run-cli';
import { totpCode } from '../support/totp';

jest.setTimeout(120_000);

const EMAIL = 'alice@example.org';
const NEW_PASSWORD = 'A-much-better-Passw0rd!';

describe('hilum login / whoami / logout', () => {
  let dataDir: string;
  let configDir: string;
  let commons: LocalCommons;
  let cognito: CognitoStandIn;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-login-'));
    configDir = join(dataDir, 'config');
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'SILENT',
    });
    cognito = await startCognitoStandIn({
      users: [{ email: EMAIL, password: 'Temporary-Pass-1!', temporary: true, groups: ['researcher'] }],
      mint: (user, ttlSeconds) =>
        issueLocalToken({ dataDir: join(dataDir, 'commons'), groups: user.groups, username: user.email, ttlSeconds }),
    });
  });

  afterAll(async () => {
    await cognito?.close();
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Runs the CLI with stdin lines given by `answer` as the prompts appear on stderr. */
  function hilum(args: string[], answer: (stderr: string) => string[] = () => []) {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, HILUM_CONFIG_DIR: configDir, HILUM_TOKEN: '', HILUM_PROFILE: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const lines = answer(stderr);
      for (; sent < lines.length; sent += 1) child.stdin.write(`${lines[sent]}\n`);
    });
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    );
  }
  const sessionFile = () => join(configDir, 'sessions', 'research.json');
  const session = async () =>
    JSON.parse(await readFile(sessionFile(), 'utf8')) as { idToken: string; refreshToken: string; expiresAt: string };

  it('a first sign-in sets a new password and the authenticator, and keeps a session the API accepts', async () => {
    const run = await hilum(
      [
        'login',
        '--profile',
        'research',
        '--username',
        EMAIL,
        '--cognito-endpoint',
        cognito.endpoint,
        '--api',
        commons.apiUrl,
        '--user-pool',
        cognito.userPoolId,
        '--client-id',
        cognito.clientId,
      ],
      (stderr) => {
        const answers = ['Temporary-Pass-1!', NEW_PASSWORD, NEW_PASSWORD];
        const secret = /authenticator app:\n\s+([A-Z2-7]+)/.exec(stderr)?.[1];
        return secret && stderr.includes('Code shown by the authenticator') ? [...answers, totpCode(secret)] : answers;
      },
    );
    expect(run).toMatchObject({ code: 0 });
    expect(run.stderr).toContain(`signed in to ${commons.apiUrl} as ${EMAIL} (researcher); profile 'research'`);
    expect(run.stderr).not.toContain(NEW_PASSWORD);
    expect(cognito.user(EMAIL).temporary).toBe(false);
    expect(cognito.user(EMAIL).totpSecret).toBeDefined();
    expect((await stat(sessionFile())).mode & 0o777).toBe(0o600);

    const { idToken } = await session();
    const projects = await fetch(`${commons.apiUrl}/projects`, { headers: { authorization: `Bearer ${idToken}` } });
    expect(projects.status).toBe(200);

    const who = await hilum(['whoami', '--json']);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ profile: 'research', api: commons.apiUrl, user: EMAIL, roles: ['researcher'] });
  });

  it('a later sign-in asks the password and the authenticator code; a wrong password is refused with exit 4', async () => {
    const secret = cognito.user(EMAIL).totpSecret!;
    const before = await session();
    const wrong = await hilum(['login', '--profile', 'research'], () => ['Not-the-Passw0rd!!']);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('the user name or password is wrong');
    expect(await session()).toEqual(before);

    const right = await hilum(['login', '--profile', 'research'], (stderr) =>
      stderr.includes('Authenticator code') ? [NEW_PASSWORD, totpCode(secret)] : [NEW_PASSWORD],
    );
    expect(right.code).toBe(0);
    expect((await session()).refreshToken).not.toBe(before.refreshToken);
  });

  it('refreshes a token about to expire before using it, and keeps the refreshed session', async () => {
    const stale = { ...(await session()), expiresAt: new Date(Date.now() + 60_000).toISOString() };
    await writeFile(sessionFile(), JSON.stringify(stale));
    const callsBefore = cognito.calls.length;
    const who = await hilum(['whoami', '--json']);
    expect(who.code).toBe(0);
    expect(cognito.calls.slice(callsBefore)).toEqual(['InitiateAuth']);
    const refreshed = await session();
    expect(refreshed.idToken).not.toBe(stale.idToken);
    expect(refreshed.refreshToken).toBe(stale.refreshToken);
    expect(Date.parse(refreshed.expiresAt)).toBeGreaterThan(Date.now() + 30 * 60_000);

    // A fresh token is used as it is: no call to the pool.
    const calls = cognito.calls.length;
    expect((await hilum(['whoami'])).code).toBe(0);
    expect(cognito.calls.length).toBe(calls);
  });

  it('commands given no token or URL use the signed-in profile, refreshing its token when it nears expiry', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { HILUM_CONFIG_DIR: configDir, HILUM_TOKEN: '', HILUM_API_URL: '', HILUM_PROFILE: '' });
    try {
      const { api, apiUrl } = await connect({});
      expect(apiUrl).toBe(commons.apiUrl);
      expect(await api.request('GET', '/projects')).toEqual({ projects: expect.any(Array) });
      await writeFile(sessionFile(), JSON.stringify({ ...(await session()), expiresAt: new Date(Date.now() + 60_000).toISOString() }));
      const calls = cognito.calls.length;
      const again = await connect({});
      expect(await again.api.request('GET', '/projects')).toEqual({ projects: expect.any(Array) });
      expect(cognito.calls.slice(calls)).toEqual(['InitiateAuth']);
    } finally {
      process.env = saved;
    }
  });

  it('logout revokes the session at the pool and removes it here; whoami then says to sign in', async () => {
    const { refreshToken } = await session();
    const out = await hilum(['logout']);
    expect(out.code).toBe(0);
    expect(cognito.calls.at(-1)).toBe('RevokeToken');
    await expect(stat(sessionFile())).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(
      refreshSession(
        { region: 'us-east-1', userPoolId: cognito.userPoolId, clientId: cognito.clientId, endpoint: cognito.endpoint },
        refreshToken,
      ),
    ).rejects.toBeInstanceOf(SignInError);

    const who = await hilum(['whoami']);
    expect(who.code).toBe(4);
    expect(who.stderr).toContain("not signed in to profile 'research': run 'hilum login --profile research'");
  });

  it('a new profile without the stack outputs is a usage error naming them', async () => {
    const run = await hilum(['login', '--profile', 'elsewhere']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('a new profile needs --api, --user-pool and --client-id');
  });
});
