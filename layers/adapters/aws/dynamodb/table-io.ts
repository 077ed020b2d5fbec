import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  QueryCommandInput,
  ScanCommand,
  ScanCommandInput,
  TransactWriteCommand,
  TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mapBounded } from '../../../common/bounded-map';
import { TransientError } from '../../../common/errors';

/**
 * The table I/O every catalog store shares (the repositories beside this file):
 * one item by key, the one pagination loop, and the one conditional write. The
 * stores say what to read and write; how one page follows another and how a
 * refused condition is told from a failure is written here once.
 */

/** A table or index key: where a read starts (ExclusiveStartKey) or ended (LastEvaluatedKey). */
export type TableKey = Record<string, unknown>;

/** One item of a TransactWriteItems call. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Reads one item by key, strongly consistent, without the table's key attributes. */
export async function getItem<T>(db: DynamoDBDocumentClient, table: string, key: { pk: string; sk: string }): Promise<T | undefined> {
  const result = await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return result.Item ? stripKeys<T>(result.Item) : undefined;
}

/** BatchWriteItem's most requests per call. */
const BATCH_WRITE_ITEMS = 25;

/** One request of a BatchWriteItem: a put or a delete. */
export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/**
 * Sends `requests` (puts and deletes), 25 to a BatchWriteItem, `inFlight` calls at once (default one after another),
 * retrying what DynamoDB leaves unprocessed with a growing pause; after nine tries a TransientError names `what` (the
 * caller's task is retried, and sends them again: an unconditional put or delete is idempotent). Unconditional: for
 * items whose writer needs no condition.
 */
export async function writeItems(
  db: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
  what: string,
  { inFlight = 1 }: { inFlight?: number } = {},
): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += BATCH_WRITE_ITEMS) batches.push(requests.slice(start, start + BATCH_WRITE_ITEMS));
  await mapBounded(batches, inFlight, async (batch) => {
    let pending: NonNullable<BatchWriteCommandInput['RequestItems']> = { [table]: batch };
    for (let attempt = 0; Object.keys(pending).length > 0; attempt += 1) {
      if (attempt > 8) throw new TransientError(`${what} could not all be written; retry`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const result = await db.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = result.UnprocessedItems ?? {};
    }
  });
}

/** Puts `items` (each with its key) as writeItems sends requests, one BatchWriteItem after another. */
export async function putItems(
  db: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
  what: string,
): Promise<void> {
  await writeItems(
    db,
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
    what,
  );
}

/** BatchGetItem's most keys per request. */
const BATCH_GET_KEYS = 100;

/**
 * BatchGetItem requests in flight at once: one after another, a 1,000-file submission's quarantine lookup (its QA
 * report, built by QaReport and by the report route) waited ten round trips in a row.
 */
export const BATCH_GETS_IN_FLIGHT = 4;

/**
 * Reads many items by key, strongly consistent, without their key attributes: a hundred keys a request
 * instead of one (the same read units as as many GetItems), BATCH_GETS_IN_FLIGHT requests at once. Keys
 * DynamoDB leaves unprocessed are asked for again after a short wait. Answers by `pk\nsk` (`itemKeyOf`);
 * a key without an item is absent.
 */
export async function getItems<T>(
  db: DynamoDBDocumentClient,
  table: string,
  keys: readonly { pk: string; sk: string }[],
): Promise<Map<string, T>> {
  // BatchGetItem refuses a request that names one key twice.
  const unique = [...new Map(keys.map((key) => [itemKeyOf(key), { pk: key.pk, sk: key.sk }])).values()];
  const chunks: (typeof unique)[] = [];
  for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) chunks.push(unique.slice(start, start + BATCH_GET_KEYS));
  const answers = await mapBounded(chunks, BATCH_GETS_IN_FLIGHT, async (chunk) => {
    const items = new Map<string, T>();
    let pending: Record<string, unknown>[] = chunk;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of result.Responses?.[table] ?? []) items.set(itemKeyOf(item as { pk: string; sk: string }), stripKeys<T>(item));
      pending = result.UnprocessedKeys?.[table]?.Keys ?? [];
    }
    return items;
  });
  return new Map(answers.flatMap((items) => [...items]));
}

/** How getItems answers an item: its partition and sort key. */
export function itemKeyOf(key: { pk: unknown; sk: unknown }): string {
  return `${String(key.pk)}\n${String(key.sk)}`;
}

/** A paged read: a Query, or a Scan where no key leads to the items. */
export type PagedRead = { readonly query: QueryCommandInput } | { readonly scan: ScanCommandInput };

export interface Pages {
  readonly items: Record<string, unknown>[];
  /** Where the next read starts; absent when the store has no more. */
  readonly next?: TableKey;
}

/**
 * The pagination loop: reads page after page from `start` until the store has no
 * more or, given a `limit`, that many items are read. Each page asks only for what
 * is still wanted (DynamoDB's Limit counts items read before a FilterExpression,
 * so a filtered read may take several pages, and `next` follows the last item read).
 */
export async function readPages(
  db: DynamoDBDocumentClient,
  read: PagedRead,
  options: { readonly limit?: number; readonly start?: TableKey } = {},
): Promise<Pages> {
  const { limit } = options;
  const items: Record<string, unknown>[] = [];
  let start = options.start;
  do {
    const page = { ExclusiveStartKey: start, ...(limit === undefined ? {} : { Limit: limit - items.length }) };
    const result =
      'query' in read
        ? await db.send(new QueryCommand({ ...read.query, ...page }))
        : await db.send(new ScanCommand({ ...read.scan, ...page }));
    items.push(...(result.Items ?? []));
    start = result.LastEvaluatedKey;
  } while (start && (limit === undefined || items.length < limit));
  return { items, ...(start ? { next: start } : {}) };
}

/** Every item of a collection whose sort key starts with `prefix`, strongly consistent, in sort-key order (or reversed). */
export async function queryAllByPrefix<T>(
  db: DynamoDBDocumentClient,
  table: string,
  pk: string,
  prefix: string,
  forward = true,
): Promise<T[]> {
  const { items } = await readPages(db, {
    query: {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ScanIndexForward: forward,
      ConsistentRead: true,
    },
  });
  return items.map((item) => stripKeys<T>(item));
}

/** Every item of one partition of the overloaded index gsi1, in sort-key order (or reversed). */
export async function queryIndexAll<T>(db: DynamoDBDocumentClient, table: string, partition: string, forward: boolean): Promise<T[]> {
  const { items } = await readPages(db, {
    query: {
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: forward,
    },
  });
  return items.map((item) => stripKeys<T>(item));
}

/** A write that carries a ConditionExpression (a transaction: on any of its items). */
export type ConditionalCommand = PutCommand | UpdateCommand | DeleteCommand | TransactWriteCommand;

export interface Written {
  readonly written: true;
  /** What the write's ReturnValues asked for, when it asked. */
  readonly attributes?: Record<string, unknown>;
}

export interface Refused {
  readonly written: false;
  /** The items whose condition failed: [0] for a single-item write, their indexes in a transaction (possibly none). */
  readonly failedAt: readonly number[];
  /** A transaction cancelled because another one touched the same items, or DynamoDB throttled one: worth retrying. */
  readonly conflict: boolean;
  /** The SDK's error, to throw when the caller has no answer for this refusal. */
  readonly cause: Error;
}

/**
 * The one conditional write: sends the command and tells a refusal (a failed
 * condition; for a transaction, any cancellation, with the reasons read) from a
 * failure, which it throws. Each store decides what a refusal means (false, a
 * named error, a retry), so none of them catches the SDK's exceptions itself.
 */
export async function conditionalWrite(db: DynamoDBDocumentClient, command: ConditionalCommand): Promise<Written | Refused> {
  try {
    // The document client's send is overloaded per command class; the union needs one signature.
    const output = await (db.send as (c: ConditionalCommand) => Promise<{ Attributes?: Record<string, unknown> }>)(command);
    return output.Attributes ? { written: true, attributes: output.Attributes } : { written: true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { written: false, failedAt: [0], conflict: false, cause: error };
    if (error instanceof TransactionCanceledException) {
      const reasons = error.CancellationReasons ?? [];
      return {
        written: false,
        failedAt: reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : [])),
        conflict: reasons.some((reason) => reason.Code === 'TransactionConflict' || reason.Code === 'ThrottlingError'),
        cause: error,
      };
    }
    throw error;
  }
}

/** Items are written only by the catalog stores, so their shape is the entity's once the keys are removed. */
export function stripKeys<T>(item: Record<string, unknown> | undefined): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _type, ...rest } = item ?? {};
  return rest as T;
}

/** Opaque page cursors: the last evaluated key, base64url JSON. */
export function encodeCursor(key: TableKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor, or throws the caller's error (each API names its own). */
export function decodeCursor(cursor: string, invalid: () => Error): TableKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as TableKey;
  } catch {
    /* fall through */
  }
  throw invalid();
}
