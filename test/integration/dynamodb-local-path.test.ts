import { existsSync } from 'node:fs';
import * as http from 'node:http';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { generateLocalCredentials } from '../../local/credentials';
import { startDynamoDb, startDynamoDbLocalJava, type DynamoDbLocalJava } from '../../local/emulators/dynamodb';

/**
 * The local DynamoDB path as `hilum start` runs it (issue 21): its own DynamoDB Local with `-sharedDb` on the data
 * folder, behind the SigV4 front. Starts its own JVMs (the jest run's shared one has no `-sharedDb`).
 */
describe("a commons' own DynamoDB Local", () => {
  let root: string;
  const javas: DynamoDbLocalJava[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hilum-ddb-path-'));
  });
  afterAll(async () => {
    for (const java of javas) await java.stop();
    await rm(root, { recursive: true, force: true });
  });

  const start = async () => {
    const java = await startDynamoDbLocalJava({ dbPath: join(root, 'dynamodb'), sharedDb: true });
    javas.push(java);
    return { java, emulator: await startDynamoDb({ dataDir: root, credentials: generateLocalCredentials(), java }) };
  };

  /** SQLite's file format versions (header bytes 18 and 19): 1 for the rollback journal, 2 for the write-ahead log. */
  const fileFormat = async (file: string): Promise<number[]> => {
    const handle = await open(file, 'r');
    try {
      const header = Buffer.alloc(20);
      await handle.read(header, 0, 20, 0);
      return [header[18]!, header[19]!];
    } finally {
      await handle.close();
    }
  };

  it("keeps its database in SQLite's write-ahead log, and a write it acknowledged survives kill -9 and a restart", async () => {
    const first = await start();
    const client = first.emulator.client();
    await client.send(
      new CreateTableCommand({
        TableName: 'catalog',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(new PutItemCommand({ TableName: 'catalog', Item: { pk: { S: 'kept' }, n: { N: '7' } } }));
    const database = join(root, 'dynamodb', 'shared-local-instance.db');
    expect(await fileFormat(database)).toEqual([2, 2]);
    expect(existsSync(`${database}-wal`)).toBe(true);

    // No clean close, so no checkpoint: the write is only in the log.
    process.kill(first.java.pid!, 'SIGKILL');
    await first.emulator.stop();
    await first.java.stop();

    const second = await start();
    const read = await second.emulator
      .client()
      .send(new GetItemCommand({ TableName: 'catalog', Key: { pk: { S: 'kept' } }, ConsistentRead: true }));
    expect(read.Item).toEqual({ pk: { S: 'kept' }, n: { N: '7' } });
    await second.emulator.stop();
  });
});

describe('the DynamoDB front', () => {
  it('sends DynamoDB Local only the headers it reads: the operation, the content type, the signer and the token', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    // Stands in for DynamoDB Local: records each request's headers and lists no tables.
    const upstream = http.createServer((req, res) => {
      seen.push(req.headers);
      req.resume().on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{"TableNames":[]}');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as { port: number }).port;
    const token = 'a'.repeat(64);
    const front = await startDynamoDb({
      dataDir: tmpdir(),
      credentials: generateLocalCredentials(),
      java: { port, token, exited: () => false, output: () => '', stop: () => Promise.resolve() },
    });
    try {
      await front.client().send(new ListTablesCommand({}));
      const last = seen.at(-1)!;
      expect(Object.keys(last).sort()).toEqual(
        ['authorization', 'connection', 'content-length', 'content-type', 'host', 'x-amz-target', 'x-hilum-front'].sort(),
      );
      expect(last['x-amz-target']).toBe('DynamoDB_20120810.ListTables');
      expect(last['x-hilum-front']).toBe(token);
      expect(last.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=\S+\/us-east-1\/dynamodb\/aws4_request/);
    } finally {
      await front.stop();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
