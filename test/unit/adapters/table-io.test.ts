/**
 * The catalog stores' one conditional write reads DynamoDB's refusals: which
 * item's condition failed, whether another transaction was in the way, and what
 * is not a refusal at all. The refusals are injected (DynamoDB Local cannot be
 * made to throttle or to cancel for a conflict on demand); the writes and reads
 * themselves run against DynamoDB Local in test/integration/catalog-repository.test.ts. So are the unprocessed
 * items of the batch writes (putItems).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, putItems, writeItems } from '../../../layers/adapters/aws/dynamodb/table-io';
import { TransientError } from '../../../layers/common/errors';

const failingWith = (error: Error) =>
  ({
    send: async () => {
      throw error;
    },
  }) as unknown as DynamoDBDocumentClient;
const answering = (output: unknown) => ({ send: async () => output }) as unknown as DynamoDBDocumentClient;
const put = new PutCommand({ TableName: 't', Item: { pk: 'a', sk: 'b' }, ConditionExpression: 'attribute_not_exists(pk)' });
const transaction = new TransactWriteCommand({ TransactItems: [] });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('conditionalWrite', () => {
  it('answers written, with the attributes ReturnValues asked for', async () => {
    await expect(conditionalWrite(answering({}), put)).resolves.toEqual({ written: true });
    const update = new UpdateCommand({
      TableName: 't',
      Key: { pk: 'a', sk: 'b' },
      UpdateExpression: 'SET x = :x',
      ReturnValues: 'ALL_NEW',
    });
    await expect(conditionalWrite(answering({ Attributes: { x: 1 } }), update)).resolves.toEqual({ written: true, attributes: { x: 1 } });
  });

  it('reads a failed single-item condition as a refusal of item 0', async () => {
    const error = new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
    await expect(conditionalWrite(failingWith(error), put)).resolves.toEqual({
      written: false,
      failedAt: [0],
      conflict: false,
      cause: error,
    });
  });

  it('names every transaction item whose condition failed', async () => {
    const error = cancelled('None', 'ConditionalCheckFailed', 'None', 'ConditionalCheckFailed');
    await expect(conditionalWrite(failingWith(error), transaction)).resolves.toEqual({
      written: false,
      failedAt: [1, 3],
      conflict: false,
      cause: error,
    });
  });

  it('tells a transaction cancelled by another one or by throttling, which is worth retrying', async () => {
    await expect(conditionalWrite(failingWith(cancelled('None', 'TransactionConflict')), transaction)).resolves.toMatchObject({
      written: false,
      failedAt: [],
      conflict: true,
    });
    await expect(conditionalWrite(failingWith(cancelled('ThrottlingError', 'None')), transaction)).resolves.toMatchObject({
      written: false,
      failedAt: [],
      conflict: true,
    });
  });

  it('throws what is not a refusal', async () => {
    const outage = Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable' });
    await expect(conditionalWrite(failingWith(outage), put)).rejects.toBe(outage);
  });
});

describe('putItems', () => {
  /** A client whose BatchWriteItem leaves the first `unprocessed(call)` items of each call unprocessed. */
  const batchWriter = (unprocessed: (call: number) => number) => {
    const sent: string[][] = [];
    const db = {
      send: async (command: BatchWriteCommand) => {
        const requests = command.input.RequestItems!['t']!;
        sent.push(requests.map((r) => String(r.PutRequest!.Item!['pk'])));
        const left = requests.slice(0, unprocessed(sent.length));
        return left.length > 0 ? { UnprocessedItems: { t: left } } : {};
      },
    } as unknown as DynamoDBDocumentClient;
    return { db, sent };
  };
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `i${i}`, sk: 's' }));

  afterEach(() => jest.useRealTimers());

  it('writes 25 items a request, and again what DynamoDB left unprocessed, until none is left', async () => {
    jest.useFakeTimers();
    const { db, sent } = batchWriter((call) => (call === 2 ? 3 : 0));
    const writing = putItems(db, 't', items(60), 'records');
    await jest.runAllTimersAsync();
    await writing;
    expect(sent.map((call) => call.length)).toEqual([25, 25, 3, 10]);
    expect(sent[2]).toEqual(['i25', 'i26', 'i27']);
    expect(new Set(sent.flat())).toEqual(new Set(items(60).map((i) => i.pk)));
  });

  it('gives up with a TransientError naming what it wrote after nine tries that left items unprocessed', async () => {
    jest.useFakeTimers();
    const { db, sent } = batchWriter(() => 1);
    const writing = putItems(db, 't', items(2), 'series records');
    const failed = expect(writing).rejects.toThrow(new TransientError('series records could not all be written; retry'));
    await jest.runAllTimersAsync();
    await failed;
    expect(sent).toHaveLength(9);
  });

  it('sends puts and deletes alike, `inFlight` batches at once', async () => {
    let running = 0;
    let most = 0;
    const sent: number[] = [];
    const db = {
      send: async (command: BatchWriteCommand) => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
        sent.push(command.input.RequestItems!['t']!.length);
        return {};
      },
    } as unknown as DynamoDBDocumentClient;
    const requests = [...items(60).map((Item) => ({ PutRequest: { Item } })), ...items(40).map((Key) => ({ DeleteRequest: { Key } }))];
    await writeItems(db, 't', requests, 'tokens', { inFlight: 3 });
    expect(sent.sort((a, b) => a - b)).toEqual([25, 25, 25, 25]);
    expect(most).toBe(3);
    most = 0;
    await putItems(db, 't', items(60), 'records');
    expect(most).toBe(1); // putItems: one call after another
  });

  it('sends nothing for no items', async () => {
    const { db, sent } = batchWriter(() => 0);
    await putItems(db, 't', [], 'records');
    expect(sent).toEqual([]);
  });
});
