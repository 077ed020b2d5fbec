/**
 * Counts what the local commons does that AWS would bill, as it happens: API requests, Lambda
 * invocations and their GB-seconds, Step Functions transitions (read from the executions at
 * the end), S3 requests by price class, DynamoDB read and write units (as DynamoDB Local
 * reports them), EventBridge events. Off unless a commons is started with one
 * (`LocalCommonsOptions.meter`); `npm run bench cost` prices a snapshot (bench/cost-model.ts).
 */

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
  /** Events put by hilum (PutEvents: billed) and by AWS services (S3's Object Created: free). */
  events: { custom: number; service: number };
}

export class UsageMeter {
  private readonly counts: UsageCounts = {
    apiRequests: 0,
    lambda: {},
    s3: { 'put-copy-post-list': 0, 'get-head-other': 0, delete: 0 },
    dynamodb: { readUnits: 0, writeUnits: 0, requests: 0 },
    events: { custom: 0, service: 0 },
  };

  apiRequest(): void {
    this.counts.apiRequests += 1;
  }

  lambdaInvocation(functionId: string, memoryMb: number, durationMs: number): void {
    const usage = (this.counts.lambda[functionId] ??= { invocations: 0, seconds: 0, gbSeconds: 0 });
    usage.invocations += 1;
    usage.seconds += durationMs / 1000;
    usage.gbSeconds += (Math.max(1, Math.ceil(durationMs)) / 1000) * (memoryMb / 1024);
  }

  s3Request(requestClass: S3RequestClass): void {
    this.counts.s3[requestClass] += 1;
  }

  dynamodbRequest(units: { read: number; write: number }): void {
    this.counts.dynamodb.requests += 1;
    this.counts.dynamodb.readUnits += units.read;
    this.counts.dynamodb.writeUnits += units.write;
  }

  event(source: string): void {
    if (source.startsWith('aws.')) this.counts.events.service += 1;
    else this.counts.events.custom += 1;
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
