/**
 * Prices what a local run counted (local/usage-meter.ts, the executions' histories) with the
 * list prices in bench/data/aws-list-prices.json. Storage is left out, as the cost target is.
 */
import type { UsageCounts } from '../local/usage-meter';
import prices from './data/aws-list-prices.json';

export type AwsListPrices = typeof prices;
export const LIST_PRICES: AwsListPrices = prices;

/** One workflow execution as billed: its type, the states it entered (retries included) and how long it ran. */
export interface BilledExecution {
  readonly workflow: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly transitions: number;
  readonly durationMs: number;
}

export interface LineItem {
  readonly service: string;
  readonly what: string;
  readonly quantity: number;
  readonly dollars: number;
}

export interface CostEstimate {
  readonly items: readonly LineItem[];
  readonly dollars: number;
}

/** `later` minus `earlier`: what happened between two snapshots of one meter. */
export function usageBetween(earlier: UsageCounts, later: UsageCounts): UsageCounts {
  const lambda: UsageCounts['lambda'] = {};
  for (const [id, usage] of Object.entries(later.lambda)) {
    const before = earlier.lambda[id] ?? { invocations: 0, seconds: 0, gbSeconds: 0 };
    const invocations = usage.invocations - before.invocations;
    if (invocations > 0)
      lambda[id] = { invocations, seconds: usage.seconds - before.seconds, gbSeconds: usage.gbSeconds - before.gbSeconds };
  }
  return {
    apiRequests: later.apiRequests - earlier.apiRequests,
    lambda,
    s3: {
      'put-copy-post-list': later.s3['put-copy-post-list'] - earlier.s3['put-copy-post-list'],
      'get-head-other': later.s3['get-head-other'] - earlier.s3['get-head-other'],
      delete: later.s3.delete - earlier.s3.delete,
    },
    dynamodb: {
      readUnits: later.dynamodb.readUnits - earlier.dynamodb.readUnits,
      writeUnits: later.dynamodb.writeUnits - earlier.dynamodb.writeUnits,
      requests: later.dynamodb.requests - earlier.dynamodb.requests,
    },
    dynamodbCalls: dynamodbCallsBetween(earlier.dynamodbCalls, later.dynamodbCalls),
    events: { custom: later.events.custom - earlier.events.custom, service: later.events.service - earlier.events.service },
    sqs: {
      send: later.sqs.send - earlier.sqs.send,
      receive: later.sqs.receive - earlier.sqs.receive,
      delete: later.sqs.delete - earlier.sqs.delete,
    },
    pipes: { requests: later.pipes.requests - earlier.pipes.requests },
    logs: logsBetween(earlier.logs, later.logs),
  };
}

function logsBetween(earlier: UsageCounts['logs'], later: UsageCounts['logs']): UsageCounts['logs'] {
  const logs: UsageCounts['logs'] = {};
  for (const [source, usage] of Object.entries(later)) {
    const before = earlier[source] ?? { bytes: 0, events: 0 };
    if (usage.bytes > before.bytes) logs[source] = { bytes: usage.bytes - before.bytes, events: usage.events - before.events };
  }
  return logs;
}

/** Whether a log source's bytes are vended logs (Step Functions delivers its execution logs as such). */
const isVendedLogSource = (source: string) => source.startsWith('Step Functions');

function dynamodbCallsBetween(earlier: UsageCounts['dynamodbCalls'], later: UsageCounts['dynamodbCalls']): UsageCounts['dynamodbCalls'] {
  const calls: UsageCounts['dynamodbCalls'] = {};
  for (const [label, usage] of Object.entries(later)) {
    const before = earlier[label] ?? { requests: 0, refused: 0, readUnits: 0, writeUnits: 0, indexUnits: 0 };
    const requests = usage.requests - before.requests;
    if (requests > 0)
      calls[label] = {
        requests,
        refused: usage.refused - before.refused,
        readUnits: usage.readUnits - before.readUnits,
        writeUnits: usage.writeUnits - before.writeUnits,
        indexUnits: usage.indexUnits - before.indexUnits,
      };
  }
  return calls;
}

/**
 * The bill of a run. `lambdaDurationScale` (0..1] scales the measured Lambda GB-seconds and the Express
 * executions' durations: locally the functions share one process, so overlapping invocations' wall times
 * overstate what each would run alone, and an Express execution of the per-object workflow lasts as long
 * as its one task (it waits in the same queue: with a backlog of objects its wall time locally is mostly
 * that wait, which AWS, scaling out Lambda, would not bill); 1 prices them as measured.
 */
export function priceRun(
  usage: UsageCounts,
  executions: readonly BilledExecution[],
  p: AwsListPrices = LIST_PRICES,
  lambdaDurationScale = 1,
): CostEstimate {
  const items: LineItem[] = [];
  const add = (service: string, what: string, quantity: number, unitPrice: number) =>
    items.push({ service, what, quantity, dollars: quantity * unitPrice });

  const standard = executions.filter((e) => e.type === 'STANDARD');
  const express = executions.filter((e) => e.type === 'EXPRESS');
  add('Step Functions', 'standard state transitions', sum(standard.map((e) => e.transitions)), p.stepFunctions.standardPerStateTransition);
  add('Step Functions', 'express requests', express.length, p.stepFunctions.expressPerRequest);
  const expressGbSeconds = sum(
    express.map(
      (e) =>
        ((Math.ceil((e.durationMs * lambdaDurationScale) / p.stepFunctions.expressDurationRoundingMs) *
          p.stepFunctions.expressDurationRoundingMs) /
          1000) *
        (p.stepFunctions.expressMinimumMemoryMb / 1024),
    ),
  );
  add('Step Functions', 'express GB-seconds (64 MB each)', expressGbSeconds, p.stepFunctions.expressPerGbSecond);

  const lambdas = Object.values(usage.lambda);
  add('Lambda', 'invocations', sum(lambdas.map((l) => l.invocations)), p.lambda.perRequest);
  add('Lambda', 'GB-seconds (arm64)', sum(lambdas.map((l) => l.gbSeconds)) * lambdaDurationScale, p.lambda.arm64PerGbSecond);

  add('S3', 'PUT, COPY, POST, LIST requests', usage.s3['put-copy-post-list'], p.s3.putCopyPostListPerRequest);
  add('S3', 'GET, HEAD and other requests', usage.s3['get-head-other'], p.s3.getHeadOtherPerRequest);
  add('DynamoDB', 'write request units', usage.dynamodb.writeUnits, p.dynamodb.perWriteRequestUnit);
  add('DynamoDB', 'read request units', usage.dynamodb.readUnits, p.dynamodb.perReadRequestUnit);
  add('EventBridge', 'custom events', usage.events.custom, p.eventBridge.perCustomEvent);
  add('SQS', 'requests (send, receive, delete)', usage.sqs.send + usage.sqs.receive + usage.sqs.delete, p.sqs.perRequest);
  add('EventBridge', 'Pipes requests', usage.pipes.requests, p.eventBridgePipes.perRequest);
  add('API Gateway', 'REST requests', usage.apiRequests, p.apiGateway.perRestRequest);
  // One line per source, its quantity in GB ingested; vended logs at their first tier.
  for (const [source, { bytes }] of Object.entries(usage.logs)) {
    const perGb = isVendedLogSource(source) ? p.cloudWatchLogs.vendedPerGbIngestedFirstTier : p.cloudWatchLogs.perGbIngested;
    add('CloudWatch Logs', `GB ingested: ${source}`, bytes / p.cloudWatchLogs.bytesPerGb, perGb);
  }
  return { items, dollars: sum(items.map((i) => i.dollars)) };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
