import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { generateLocalCredentials } from '../../local/credentials';
import {
  sharedDynamoDbLocal,
  startDynamoDb,
  startDynamoDbLocalJava,
  type DynamoDbEmulator,
  type DynamoDbLocalJava,
} from '../../local/emulators/dynamodb';

/**
 * One DynamoDB Local serves many commons (jest's run shares one: test/support/global-setup.ts): each commons'
 * front signs in with its own key, and DynamoDB Local without -sharedDb keeps one database per key.
 */
describe('one DynamoDB Local shared by commons with their own keys', () => {
  let root: string;
  let java: DynamoDbLocalJava;
  const emulators: DynamoDbEmulator[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hilum-shared-ddb-'));
    // The run's shared one when jest's global setup started it (no second JVM), else one of the test's own.
    java = sharedDynamoDbLocal() ?? (await startDynamoDbLocalJava({ dbPath: join(root, 'db'), sharedDb: false }));
  });
  afterAll(async () => {
    for (const e of emulators) await e.stop();
    await java?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const emulator = async (name: string, credentials = generateLocalCredentials()) => {
    const e = await startDynamoDb({ dataDir: join(root, name), credentials, java, port: 0 });
    emulators.push(e);
    return e;
  };

  it("keeps each key's tables and items apart, and one front's stop leaves the JVM serving the others", async () => {
    const [a, b] = [await emulator('a'), await emulator('b')];
    for (const e of [a, b])
      await e.client().send(
        new CreateTableCommand({
          TableName: 'catalog',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    await a.client().send(new PutItemCommand({ TableName: 'catalog', Item: { pk: { S: 'only-in-a' } } }));
    const key = { pk: { S: 'only-in-a' } };
    expect((await a.client().send(new GetItemCommand({ TableName: 'catalog', Key: key }))).Item).toBeDefined();
    expect((await b.client().send(new GetItemCommand({ TableName: 'catalog', Key: key }))).Item).toBeUndefined();

    await a.stop();
    expect((await b.client().send(new ListTablesCommand({}))).TableNames).toEqual(['catalog']);
    const c = await emulator('c');
    expect((await c.client().send(new ListTablesCommand({}))).TableNames).toEqual([]);
  });

  it("creates each key's database in SQLite's write-ahead log", async () => {
    const credentials = generateLocalCredentials();
    await (await emulator('d', credentials)).client().send(new ListTablesCommand({}));
    // SQLite's file format versions (header bytes 18 and 19): 1 for the rollback journal, 2 for the write-ahead log.
    const handle = await open(join(java.dbPath!, `${credentials.accessKeyId}_us-east-1.db`), 'r');
    const header = Buffer.alloc(20);
    await handle.read(header, 0, 20, 0);
    await handle.close();
    expect([header[18], header[19]]).toEqual([2, 2]);
  });
});
