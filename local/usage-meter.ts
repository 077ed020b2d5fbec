/**
 * Counts what the local commons does that AWS would bill, as it happens: API requests, Lambda
 * invocations and their GB-seconds, Step Functions transitions (read from the executions at
 * the end), S3 requests by price class, DynamoDB read and write units (as DynamoDB Local
 * reports them), EventBridge events, SQS and EventBridge Pipes requests (the batch ingest's queue and pipe,
 * local/sqs-pipe.ts), CloudWatch Logs bytes (the workflows' history events at their logging
 * level, local/step-functions-logs.ts; Lambda's own lines per invocation; the handlers' Powertools lines,
 * local/handler-log-meter.ts). Off unless a commons is started with one
 * (`LocalCommonsOptions.meter`); `npm run bench cost` prices a snapshot (bench/cost-model.ts).
 */

/** The SQS actions the local queue counts. */
export type SqsAction = 'send' | 'receive' | 'delete';

/** S3's request price classes: PUT, COPY, POST and LIST are one; GET, HEAD and the rest another; DELETE is free. */
export type S3RequestClass = 'put-copy-post-list' | 'get-head-other' | 'delete';

export interface LambdaUsage {
  invocations: number;
  /** Sum of the invocations' durations, in seconds. */
  seconds: number;
  /** Sum over invocations of duration (rounded up to 1 ms, as Lambda bills) x configured memory. */
  gbSeconds: number;
}

export interface UsageCounts {
  apiRequests: number;
  lambda: Record<string, LambdaUsage>;
  s3: Record<S3RequestClass, number>;
  dynamodb: { readUnits: number; writeUnits: number; requests: number };
  /** The same units by call (operation and the kinds of item it touched, `dynamodbCallLabel`): where they go. */
  dynamodbCalls: Record<string, DynamoDbCallUsage>;
  /** Events put by hilum (PutEvents: billed) and by AWS services (S3's Object Created: free). */
  events: { custom: number; service: number };
  /** SQS requests by action, each started 64 KB one request: a rule's SendMessage, a pipe's ReceiveMessage and DeleteMessageBatch. */
  sqs: Record<SqsAction, number>;
  /** EventBridge Pipes requests: a batch handed to its target, each started 64 KB one request. */
  pipes: { requests: number };
  /** CloudWatch Logs ingestion by source (`Step Functions ingest`, LAMBDA_PLATFORM_LOGS, LAMBDA_HANDLER_LOGS, LAMBDA_METRICS_LOGS). */
  logs: Record<string, LogIngestion>;
}

/** What one source wrote to CloudWatch Logs: bytes (UTF-8) in how many log events. */
export interface LogIngestion {
  bytes: number;
  events: number;
}

/** Lambda's own START, END and REPORT lines (one invocation's three log events). */
export const LAMBDA_PLATFORM_LOGS = 'Lambda platform (START, END, REPORT)';
/** The lines the handlers' Powertools logger writes at the functions' configured level. */
export const LAMBDA_HANDLER_LOGS = 'Lambda handlers (Powertools)';
/** The handlers' Powertools metrics: one embedded metric format (EMF) record per invocation that recorded any. */
export const LAMBDA_METRICS_LOGS = 'Lambda metrics (Powertools EMF)';

/**
 * The three lines Lambda writes for an invocation in its default (Text) log format, hilum's functions
 * having no LogFormat set; with active tracing (every HilumFunction) the REPORT line ends with the
 * X-Ray trace. A cold start's `Init Duration` field (about 25 bytes) is left out: locally there is none.
 */
export function lambdaPlatformLogLines(durationMs: number, memoryMb: number): string[] {
  const requestId = '00000000-0000-4000-8000-000000000000';
  return [
    `START RequestId: ${requestId} Version: $LATEST\n`,
    `END RequestId: ${requestId}\n`,
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\t` +
      `Memory Size: ${memoryMb} MB\tMax Memory Used: ${Math.min(memoryMb, 180)} MB\t\n` +
      `XRAY TraceId: 1-6754a2c0-0123456789abcdef01234567\tSegmentId: 0123456789abcdef\tSampled: true\t\n`,
  ];
}

/** What the DynamoDB calls of one label consumed. */
export interface DynamoDbCallUsage {
  requests: number;
  /** Requests refused (a failed condition, a cancelled transaction): AWS bills their units, DynamoDB Local reports none. */
  refused: number;
  readUnits: number;
  writeUnits: number;
  /** The part of the units spent on secondary indexes (each index entry an item carries costs as much as the item). */
  indexUnits: number;
}

/** One metered DynamoDB call, for the breakdown. */
export interface DynamoDbCall {
  readonly label: string;
  readonly indexUnits: number;
  readonly refused: boolean;
}

export class UsageMeter {
  private readonly counts: UsageCounts = {
    apiRequests: 0,
    lambda: {},
    s3: { 'put-copy-post-list': 0, 'get-head-other': 0, delete: 0 },
    dynamodb: { readUnits: 0, writeUnits: 0, requests: 0 },
    dynamodbCalls: {},
    events: { custom: 0, service: 0 },
    sqs: { send: 0, receive: 0, delete: 0 },
    pipes: { requests: 0 },
    logs: {},
  };

  apiRequest(): void {
    this.counts.apiRequests += 1;
  }

  lambdaInvocation(functionId: string, memoryMb: number, durationMs: number): void {
    const usage = (this.counts.lambda[functionId] ??= { invocations: 0, seconds: 0, gbSeconds: 0 });
    usage.invocations += 1;
    usage.seconds += durationMs / 1000;
    usage.gbSeconds += (Math.max(1, Math.ceil(durationMs)) / 1000) * (memoryMb / 1024);
    const lines = lambdaPlatformLogLines(durationMs, memoryMb);
    this.logIngestion(
      LAMBDA_PLATFORM_LOGS,
      lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0),
      lines.length,
    );
  }

  /** Bytes a source wrote to CloudWatch Logs, in how many log events. */
  logIngestion(source: string, bytes: number, events: number): void {
    const usage = (this.counts.logs[source] ??= { bytes: 0, events: 0 });
    usage.bytes += bytes;
    usage.events += events;
  }

  s3Request(requestClass: S3RequestClass): void {
    this.counts.s3[requestClass] += 1;
  }

  dynamodbRequest(units: { read: number; write: number }, call?: DynamoDbCall): void {
    this.counts.dynamodb.requests += 1;
    this.counts.dynamodb.readUnits += units.read;
    this.counts.dynamodb.writeUnits += units.write;
    if (!call) return;
    const usage = (this.counts.dynamodbCalls[call.label] ??= { requests: 0, refused: 0, readUnits: 0, writeUnits: 0, indexUnits: 0 });
    usage.requests += 1;
    if (call.refused) usage.refused += 1;
    usage.readUnits += units.read;
    usage.writeUnits += units.write;
    usage.indexUnits += call.indexUnits;
  }

  event(source: string): void {
    if (source.startsWith('aws.')) this.counts.events.service += 1;
    else this.counts.events.custom += 1;
  }

  /** An SQS request of `action`, `requests` counting each started 64 KB of its payload (local/sqs-pipe.ts). */
  sqsRequest(action: SqsAction, requests: number): void {
    this.counts.sqs[action] += requests;
  }

  /** A batch a pipe handed to its target, `requests` counting each started 64 KB of it. */
  pipeRequest(requests: number): void {
    this.counts.pipes.requests += requests;
  }

  /** A copy of the counts so far (a later snapshot minus an earlier one is what happened between). */
  snapshot(): UsageCounts {
    return structuredClone(this.counts);
  }
}

/** S3's price class of a request, from its method and query (`?list-type=2`, `?uploads`, a copy header). */
export function s3RequestClass(method: string, url: string): S3RequestClass {
  const upper = method.toUpperCase();
  if (upper === 'DELETE') return 'delete';
  if (upper === 'PUT' || upper === 'POST') return 'put-copy-post-list';
  if (upper === 'GET') {
    const { pathname, searchParams } = new URL(url, 'http://s3.local');
    const objectKey = pathname.split('/').filter(Boolean).slice(1).join('/');
    // A GET of the bucket itself is a LIST (ListObjects, ListObjectsV2, ListMultipartUploads).
    if (!objectKey || searchParams.has('list-type') || searchParams.has('uploads')) return 'put-copy-post-list';
  }
  return 'get-head-other';
}

/** DynamoDB operations that accept ReturnConsumedCapacity, and whether each writes. */
export const DYNAMODB_METERED_OPERATIONS: Readonly<Record<string, 'read' | 'write'>> = {
  GetItem: 'read',
  BatchGetItem: 'read',
  Query: 'read',
  Scan: 'read',
  TransactGetItems: 'read',
  PutItem: 'write',
  UpdateItem: 'write',
  DeleteItem: 'write',
  BatchWriteItem: 'write',
  TransactWriteItems: 'write',
};

/** The capacity units of a DynamoDB answer's ConsumedCapacity (one object, or one per table). */
export function consumedUnits(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce(
    (sum: number, c) =>
      sum + (typeof (c as { CapacityUnits?: unknown }).CapacityUnits === 'number' ? (c as { CapacityUnits: number }).CapacityUnits : 0),
    0,
  );
}

/** The capacity units a ConsumedCapacity (asked with INDEXES) spent on secondary indexes, global and local. */
export function consumedIndexUnits(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  let sum = 0;
  for (const c of list as Record<string, unknown>[]) {
    for (const field of ['GlobalSecondaryIndexes', 'LocalSecondaryIndexes']) {
      const indexes = c[field];
      if (!indexes || typeof indexes !== 'object') continue;
      for (const index of Object.values(indexes as Record<string, { CapacityUnits?: unknown }>)) {
        if (typeof index.CapacityUnits === 'number') sum += index.CapacityUnits;
      }
    }
  }
  return sum;
}

/**
 * A DynamoDB call's place in the breakdown: its operation, the index it reads, and the kind of each item it
 * touches, read from the keys (`SUBMISSION/FILE` for pk `SUBMISSION#s1`, sk `FILE#f1`). A kind keeps a key's
 * leading upper-case words (`QA#FILE#f1` -> `QA#FILE`) and drops the ids, so the label names no value.
 */
export function dynamodbCallLabel(operation: string, request: Record<string, unknown>): string {
  const record = (value: unknown): Record<string, unknown> =>
    value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const keyOf = (item: unknown) => itemKind(record(item));
  switch (operation) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return `${operation} ${keyOf(request.Key)}`;
    case 'PutItem':
      return `${operation} ${keyOf(request.Item)}`;
    case 'Query':
    case 'Scan': {
      const values = record(request.ExpressionAttributeValues);
      const names = String(request.KeyConditionExpression ?? '').match(/:[A-Za-z0-9_]+/g) ?? [];
      const kinds = names.map((name) => keyKind(attributeString(values[name]))).filter(Boolean);
      const index = typeof request.IndexName === 'string' ? ` ${request.IndexName}` : '';
      return `${operation}${index} ${kinds.join('/') || '-'}`.trimEnd();
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const items = Array.isArray(request.TransactItems) ? request.TransactItems : [];
      // Repeated kinds are counted (an announcement's transaction puts one file item per file).
      const counts = new Map<string, number>();
      for (const entry of items) {
        const [kind, body] = Object.entries(record(entry))[0] ?? ['?', {}];
        const item = record(body);
        const part = `${kind} ${keyOf(item.Key ?? item.Item)}`;
        counts.set(part, (counts.get(part) ?? 0) + 1);
      }
      return `${operation} [${[...counts].map(([part, n]) => (n > 1 ? `${n} x ${part}` : part)).join(', ')}]`;
    }
    case 'BatchWriteItem':
    case 'BatchGetItem': {
      const counts = new Map<string, number>();
      for (const requests of Object.values(record(request.RequestItems))) {
        const list = Array.isArray(requests) ? requests : ((record(requests).Keys as unknown[] | undefined) ?? []);
        for (const entry of list) {
          const e = record(entry);
          const kind = e.PutRequest
            ? `Put ${keyOf(record(e.PutRequest).Item)}`
            : e.DeleteRequest
              ? `Delete ${keyOf(record(e.DeleteRequest).Key)}`
              : keyOf(e);
          counts.set(kind, (counts.get(kind) ?? 0) + 1);
        }
      }
      return `${operation} [${[...counts].map(([kind, n]) => (n > 1 ? `${n} x ${kind}` : kind)).join(', ')}]`;
    }
    default:
      return operation;
  }
}

/** The kind of an item from its key attributes (low-level JSON, `{ pk: { S: ... }, sk: { S: ... } }`). */
function itemKind(key: Record<string, unknown>): string {
  const pk = keyKind(attributeString(key.pk));
  const sk = keyKind(attributeString(key.sk));
  return sk ? `${pk}/${sk}` : pk || '?';
}

function attributeString(value: unknown): string {
  const s = value && typeof value === 'object' ? (value as { S?: unknown }).S : undefined;
  return typeof s === 'string' ? s : '';
}

function keyKind(value: string): string {
  const words: string[] = [];
  for (const word of value.split('#')) {
    if (!/^[A-Z][A-Z_]*$/.test(word)) break;
    words.push(word);
  }
  return words.join('#');
}

/**
 * An item's size as DynamoDB bills it (low-level JSON): each attribute's name in UTF-8 bytes plus its value's
 * size (strings in UTF-8 bytes, binary in bytes, numbers about one byte per two significant digits plus one,
 * booleans and nulls one byte, lists and maps 3 bytes plus their elements, a map's names included, and one
 * byte per element).
 */
export function dynamodbItemBytes(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + attributeBytes(value);
  return size;
}

function attributeBytes(value: unknown): number {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v.S === 'string') return Buffer.byteLength(v.S);
  if (typeof v.N === 'string') return numberBytes(v.N);
  if (typeof v.B === 'string') return Buffer.from(v.B, 'base64').length;
  if ('BOOL' in v || 'NULL' in v) return 1;
  if (Array.isArray(v.SS)) return (v.SS as string[]).reduce((s, x) => s + Buffer.byteLength(x), 0);
  if (Array.isArray(v.NS)) return (v.NS as string[]).reduce((s, x) => s + numberBytes(x), 0);
  if (Array.isArray(v.BS)) return (v.BS as string[]).reduce((s, x) => s + Buffer.from(x, 'base64').length, 0);
  if (Array.isArray(v.L)) return 3 + (v.L as unknown[]).reduce((s: number, x) => s + 1 + attributeBytes(x), 0);
  if (v.M && typeof v.M === 'object') {
    return 3 + Object.entries(v.M as Record<string, unknown>).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k) + attributeBytes(x), 0);
  }
  return 0;
}

function numberBytes(n: string): number {
  const digits = n
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/**
 * What a successful TransactWriteItems costs in AWS: two write units per item per KB (rounded up per item) of
 * the larger of the item before and after. DynamoDB Local reports something else (about four units per
 * transaction whatever its number of items), so the front prices transactions with this from the items' sizes.
 * Index entries the items carry are not added (none of the ingest path's transactions writes one).
 */
export function transactWriteUnits(items: readonly { readonly before: number; readonly after: number }[]): number {
  return items.reduce((units, { before, after }) => units + 2 * Math.max(1, Math.ceil(Math.max(before, after) / 1024)), 0);
}

/** The table and key of each item of a TransactWriteItems request; a Put's key is read from its item with the table's key names. */
export function transactWriteKeys(
  request: Record<string, unknown>,
  keyNames: (table: string) => readonly string[] | undefined,
): { table: string; key: Record<string, unknown> }[] | undefined {
  const items = Array.isArray(request.TransactItems) ? (request.TransactItems as Record<string, Record<string, unknown>>[]) : [];
  const keys: { table: string; key: Record<string, unknown> }[] = [];
  for (const entry of items) {
    const body = entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck;
    const table = typeof body?.TableName === 'string' ? body.TableName : undefined;
    if (!body || !table) return undefined;
    if (body.Key) {
      keys.push({ table, key: body.Key as Record<string, unknown> });
      continue;
    }
    const names = keyNames(table);
    const item = body.Item as Record<string, unknown> | undefined;
    if (!names || !item) return undefined;
    keys.push({ table, key: Object.fromEntries(names.map((name) => [name, item[name]])) });
  }
  return keys;
}
