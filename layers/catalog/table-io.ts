import { DynamoDBDocumentClient, GetCommand, QueryCommand, QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * The reads every catalog store makes the same way: one item by key, and every
 * item of a collection whose sort key starts with a prefix, both strongly
 * consistent, returned without the table's key attributes.
 */
export async function getItem<T>(db: DynamoDBDocumentClient, table: string, key: { pk: string; sk: string }): Promise<T | undefined> {
  const result = await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return result.Item ? stripKeys<T>(result.Item) : undefined;
}

export async function queryAllByPrefix<T>(db: DynamoDBDocumentClient, table: string, pk: string, prefix: string): Promise<T[]> {
  const items: T[] = [];
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const result = await db.send(new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }));
    for (const item of result.Items ?? []) items.push(stripKeys<T>(item));
    start = result.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Items are written only by the catalog stores, so their shape is the entity's once the keys are removed. */
export function stripKeys<T>(item: Record<string, unknown> | undefined): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _type, ...rest } = item ?? {};
  return rest as T;
}

/** Opaque page cursors: the last evaluated key, base64url JSON. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor, or throws the caller's error (each API names its own). */
export function decodeCursor(cursor: string, invalid: () => Error): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch { /* fall through */ }
  throw invalid();
}
