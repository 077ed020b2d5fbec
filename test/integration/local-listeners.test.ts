/**
 * The local commons listens on loopback only, DynamoDB Local included (it binds every
 * interface on its own), and every AWS service it emulates verifies SigV4 against the
 * data directory's key: DynamoDB and the JSON services refuse anonymous, forged and
 * foreign-key calls, DynamoDB Local itself refuses anything that does not come through
 * its front, and awscli works with the key file the commons writes.
 * Handlers are stubbed: this proves the runtime's listeners, not the handlers.
 */
import { execFile } from 'node:child_process';
import { SHA256 } from '../../local/emulators/sigv4';
import { accessSync, constants } from 'node:fs';
import { promises as fs } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SignatureV4 } from '@smithy/signature-v4';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { credentialsFile, LOCAL_PROFILE } from '../../local/credentials';
import { SHARED_DYNAMODB_LOCAL_ENV } from '../../local/emulators/dynamodb';
import { synthesizeTemplate } from '../../local/template/synthesize';

jest.setTimeout(180_000);

let dataDir: string;
let commons: LocalCommons;

beforeAll(async () => {
  // This commons starts its own DynamoDB Local, as `hilum start` does, not the jest run's shared one
  // (test/support/global-setup.ts): the sockets looked at are this process's and its children's.
  delete process.env[SHARED_DYNAMODB_LOCAL_ENV];
  dataDir = await mkdtemp(join(tmpdir(), 'hilum-listeners-'));
  commons = await startLocalCommons({
    dataDir,
    reset: true,
    template: await synthesizeTemplate(),
    loadHandler: () => async () => ({ statusCode: 200, body: '{}' }),
  });
});
afterAll(async () => {
  await commons?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const port = (url: string) => Number(new URL(url).port);
const wrongKey = () => ({ accessKeyId: commons.credentials.accessKeyId, secretAccessKey: `${commons.credentials.secretAccessKey}x` });

describe('listeners', () => {
  // Read from Linux's /proc, as CI and the local commons run.
  it('every socket this process and its children (DynamoDB Local) listen on is on 127.0.0.1', async () => {
    const listening = await listeningSockets([process.pid, ...(await descendants(process.pid))]);
    const ports = new Set(listening.map((s) => s.port));
    for (const url of [commons.apiUrl, commons.s3Endpoint, commons.dynamodbEndpoint, commons.servicesEndpoint])
      expect(ports).toContain(port(url));
    // DynamoDB Local's own port, besides the four fronts.
    expect(ports.size).toBeGreaterThanOrEqual(5);
    for (const socket of listening)
      expect(socket).toMatchObject({ address: expect.stringMatching(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/) });
  });

  it("names DynamoDB Local's JVM, its own child, by process id (bench ingest reads its CPU time)", async () => {
    expect(await descendants(process.pid)).toContain(commons.dynamodbLocalPid);
    expect(await readFile(`/proc/${commons.dynamodbLocalPid}/cmdline`, 'latin1')).toContain('DynamoDbLocalOnLoopback');
  });

  it('DynamoDB Local answers nothing that does not come through its front, signed or not', async () => {
    // The commons' own JVM: run alone, this file is in jest's main process, which also parents the run's shared one.
    const java = await listeningSockets([commons.dynamodbLocalPid!]);
    expect(java).toHaveLength(1);
    const direct = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${java[0]!.port}`,
      region: 'us-east-1',
      credentials: commons.credentials,
      maxAttempts: 1,
    });
    await expect(direct.send(new ListTablesCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    direct.destroy();
  });
});

describe('DynamoDB', () => {
  it('answers the local key through the front', async () => {
    const client = new DynamoDBClient({ endpoint: commons.dynamodbEndpoint, region: 'us-east-1', credentials: commons.credentials });
    expect((await client.send(new ListTablesCommand({}))).TableNames).toContain(commons.tableName);
    client.destroy();
  });

  it.each([
    ['a wrong secret', () => wrongKey(), 'InvalidSignatureException'],
    ["DynamoDB Local's any-key habit ('local')", () => ({ accessKeyId: 'local', secretAccessKey: 'local' }), 'UnrecognizedClientException'],
  ])('refuses %s', async (_what, credentials, name) => {
    const client = new DynamoDBClient({
      endpoint: commons.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: credentials(),
      maxAttempts: 1,
    });
    await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject({ name, $metadata: { httpStatusCode: 400 } });
    client.destroy();
  });

  it('refuses an unsigned call, a CORS preflight, and a signed body swapped for another', async () => {
    const unsigned = await fetch(commons.dynamodbEndpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: expect.stringMatching(/MissingAuthenticationTokenException$/) });
    const preflight = await fetch(commons.dynamodbEndpoint, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

    const signed = await sign('dynamodb', commons.dynamodbEndpoint, 'DynamoDB_20120810.ListTables', '{}');
    const swapped = await fetch(commons.dynamodbEndpoint, { method: 'POST', headers: signed.headers, body: '{"Limit":1}' });
    expect(swapped.status).toBe(400);
    expect(await swapped.json()).toMatchObject({ __type: expect.stringMatching(/InvalidSignatureException$/) });
    const replayed = await fetch(commons.dynamodbEndpoint, { method: 'POST', headers: signed.headers, body: '{}' });
    expect(replayed.status).toBe(200);
  });
});

describe('EventBridge and Secrets Manager', () => {
  it('refuse an unsigned call, a wrong secret, a foreign key and a signature scoped to the other service', async () => {
    const unsigned = await fetch(commons.servicesEndpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'secretsmanager.ListSecrets', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });

    const events = new EventBridgeClient({
      endpoint: commons.servicesEndpoint,
      region: 'us-east-1',
      credentials: wrongKey(),
      maxAttempts: 1,
    });
    await expect(
      events.send(new PutEventsCommand({ Entries: [{ Source: 'hilum.pipeline', DetailType: 'Submission Ready', Detail: '{}' }] })),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    events.destroy();
    const foreign = new SecretsManagerClient({
      endpoint: commons.servicesEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await expect(foreign.send(new GetSecretValueCommand({ SecretId: 'anything' }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    foreign.destroy();

    const scopedToEvents = await sign('events', commons.servicesEndpoint, 'secretsmanager.ListSecrets', '{}', 'application/x-amz-json-1.1');
    const crossed = await fetch(commons.servicesEndpoint, { method: 'POST', headers: scopedToEvents.headers, body: '{}' });
    expect(crossed.status).toBe(400);
    expect(await crossed.json()).toMatchObject({ __type: 'InvalidSignatureException' });
    expect(commons.events().filter((e) => e.event.source !== 'hilum.test')).toHaveLength(0);
  });

  it('refuse an unsigned body larger than any call before reading it all, and keep serving', async () => {
    const flood = await fetch(commons.servicesEndpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents' },
      body: Buffer.alloc(3 * 1024 * 1024, 0x20),
    }).catch(() => undefined);
    if (flood) expect(flood.status).toBe(413);
    const events = new EventBridgeClient({ endpoint: commons.servicesEndpoint, region: 'us-east-1', credentials: commons.credentials });
    expect(
      (await events.send(new PutEventsCommand({ Entries: [{ Source: 'hilum.test', DetailType: 'Ping', Detail: '{}' }] }))).FailedEntryCount,
    ).toBe(0);
    events.destroy();
  });

  it('answer the local key', async () => {
    const secrets = new SecretsManagerClient({
      endpoint: commons.servicesEndpoint,
      region: 'us-east-1',
      credentials: commons.credentials,
      maxAttempts: 1,
    });
    // Past the signature check: the emulator looked for the secret.
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'hilum/no-such-secret' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    secrets.destroy();
  });
});

describe('credentials', () => {
  it("are generated once per data directory, kept owner-only, and put in the handlers' environment", async () => {
    const file = credentialsFile(dataDir);
    expect((await fs.stat(file)).mode & 0o077).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toBe(
      `[${LOCAL_PROFILE}]\naws_access_key_id = ${commons.credentials.accessKeyId}\naws_secret_access_key = ${commons.credentials.secretAccessKey}\n`,
    );
    expect(commons.credentials.accessKeyId).not.toBe('S3RVER');
    expect(commons.environment).toMatchObject({
      AWS_ACCESS_KEY_ID: commons.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: commons.credentials.secretAccessKey,
    });
  });

  // awscli is required (.ci/run installs it), as dcmtk is: a missing one fails here.
  it('work for awscli through the shared-credentials file, as docs/local-mode.md shows', async () => {
    expect(awsCliAvailable()).toBe(true);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile(dataDir),
      AWS_PROFILE: LOCAL_PROFILE,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    // The commons put its key in this process's environment, which awscli would prefer to the file.
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    const local = join(dataDir, 'upload.txt');
    await writeFile(local, 'from awscli');
    await aws(['--endpoint-url', commons.s3Endpoint, 's3', 'cp', local, `s3://${commons.buckets.intake}/work/awscli.txt`], env);
    expect(await aws(['--endpoint-url', commons.s3Endpoint, 's3', 'ls', `s3://${commons.buckets.intake}/work/`], env)).toContain(
      'awscli.txt',
    );
    expect(await aws(['--endpoint-url', commons.s3Endpoint, 's3', 'cp', `s3://${commons.buckets.intake}/work/awscli.txt`, '-'], env)).toBe(
      'from awscli',
    );
    expect(JSON.parse(await aws(['--endpoint-url', commons.dynamodbEndpoint, 'dynamodb', 'list-tables'], env))).toMatchObject({
      TableNames: [commons.tableName],
    });
    await expect(
      aws(['--endpoint-url', commons.s3Endpoint, 's3', 'ls', `s3://${commons.buckets.intake}/`], {
        ...env,
        AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'none'),
      }),
    ).rejects.toThrow();
  });
});

/** Signs a JSON-protocol POST with the local key as the SDK does. */
async function sign(service: string, endpoint: string, target: string, body: string, contentType = 'application/x-amz-json-1.0') {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: commons.credentials, sha256: SHA256 });
  const request = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': contentType, 'x-amz-target': target },
    body,
  });
  return { headers: request.headers };
}

function awsCliAvailable(): boolean {
  const dirs = (process.env.PATH ?? '').split(':');
  return dirs.some((d) => {
    try {
      accessSync(join(d, 'aws'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function aws(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('aws', args, { env, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`aws ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
  });
}

/** Pids of the processes started under `pid`, recursively (Linux /proc). */
async function descendants(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (after the parenthesized name) is the parent pid.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === pid) children.push(Number(entry));
  }
  const deeper = await Promise.all(children.map(descendants));
  return [...children, ...deeper.flat()];
}

/** The listening TCP sockets owned by `pids`, from /proc/net/tcp and tcp6. */
async function listeningSockets(pids: number[]): Promise<Array<{ address: string; port: number }>> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode) inodes.add(inode);
    }
  }
  const sockets: Array<{ address: string; port: number }> = [];
  for (const family of ['tcp', 'tcp6'] as const) {
    const lines = (await readFile(`/proc/net/${family}`, 'utf8')).trim().split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [local, , state] = [fields[1], fields[2], fields[3]];
      if (state !== '0A' || !local || !inodes.has(fields[9] ?? '')) continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':') as [string, string];
      sockets.push({ address: family === 'tcp' ? ipv4(hex) : ipv6(hex), port: parseInt(portHex, 16) });
    }
  }
  return sockets;
}

function ipv4(hex: string): string {
  return (hex.match(/../g) ?? [])
    .reverse()
    .map((b) => parseInt(b, 16))
    .join('.');
}

function ipv6(hex: string): string {
  // Four little-endian 32-bit words.
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse());
  const groups = (bytes.join('').match(/.{4}/g) ?? []).map((g) => parseInt(g, 16).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(text);
  if (mapped) {
    const n = (parseInt(mapped[1] as string, 16) << 16) | parseInt(mapped[2] as string, 16);
    return `::ffff:${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}`;
  }
  return text;
}
