import { LIST_PRICES, priceRun, usageBetween } from '../../../bench/cost-model';
import { lambdaPlatformLogLines, UsageMeter } from '../../../local/usage-meter';

describe('pricing a metered run', () => {
  const usage = () => {
    const meter = new UsageMeter();
    meter.apiRequest();
    meter.lambdaInvocation('Parse', 1024, 1000);
    meter.lambdaInvocation('Parse', 1024, 1000);
    meter.s3Request('put-copy-post-list');
    meter.s3Request('get-head-other');
    meter.s3Request('get-head-other');
    meter.s3Request('delete');
    meter.dynamodbRequest({ read: 0, write: 2 });
    meter.dynamodbRequest({ read: 0.5, write: 0 });
    meter.event('hilum.pipeline');
    meter.event('aws.s3');
    return meter;
  };

  it('adds each line at its list price, by hand', () => {
    const estimate = priceRun(usage().snapshot(), [{ workflow: 'ingest', type: 'STANDARD', transitions: 8, durationMs: 3000 }]);
    const p = LIST_PRICES;
    const expected =
      8 * p.stepFunctions.standardPerStateTransition +
      2 * p.lambda.perRequest +
      2 * p.lambda.arm64PerGbSecond + // two invocations of 1 s at 1 GB
      1 * p.s3.putCopyPostListPerRequest +
      2 * p.s3.getHeadOtherPerRequest + // the DELETE is free
      2 * p.dynamodb.perWriteRequestUnit +
      0.5 * p.dynamodb.perReadRequestUnit +
      1 * p.eventBridge.perCustomEvent + // S3's event to the default bus is free
      1 * p.apiGateway.perRestRequest +
      // Lambda's START, END and REPORT lines of the two invocations, ingested by CloudWatch Logs.
      ((2 * lambdaPlatformLogLines(1000, 1024).join('').length) / p.cloudWatchLogs.bytesPerGb) * p.cloudWatchLogs.perGbIngested;
    expect(estimate.dollars).toBeCloseTo(expected, 15);
    // $0.000025 per transition: 8 of them are $0.0002.
    expect(estimate.items.find((i) => i.what === 'standard state transitions')!.dollars).toBeCloseTo(0.0002, 12);
  });

  it('bills an express execution per request and per 100 ms at 64 MB, not per transition', () => {
    const estimate = priceRun(new UsageMeter().snapshot(), [{ workflow: 'ingest', type: 'EXPRESS', transitions: 50, durationMs: 250 }]);
    // 250 ms rounds up to 300 ms; 0.3 s x 0.0625 GB = 0.01875 GB-s.
    expect(estimate.dollars).toBeCloseTo(
      LIST_PRICES.stepFunctions.expressPerRequest + 0.01875 * LIST_PRICES.stepFunctions.expressPerGbSecond,
      15,
    );
  });

  it('scales the Lambda duration when asked, and nothing else but Express durations', () => {
    const snapshot = usage().snapshot();
    const full = priceRun(snapshot, []);
    const half = priceRun(snapshot, [], LIST_PRICES, 0.5);
    expect(full.dollars - half.dollars).toBeCloseTo(LIST_PRICES.lambda.arm64PerGbSecond, 15);
  });

  it("scales an Express execution's duration with its task's (locally it waits in the same queue), then rounds it", () => {
    const queued = [{ workflow: 'ingest', type: 'EXPRESS' as const, transitions: 4, durationMs: 23_000 }];
    const scaled = priceRun(new UsageMeter().snapshot(), queued, LIST_PRICES, 0.004);
    // 23 s x 0.004 = 92 ms, billed as 100 ms: 0.1 s x 0.0625 GB.
    expect(scaled.items.find((i) => i.what.startsWith('express GB-seconds'))!.quantity).toBeCloseTo(0.1 * 0.0625, 12);
    expect(priceRun(new UsageMeter().snapshot(), queued).items.find((i) => i.what.startsWith('express GB-seconds'))!.quantity).toBeCloseTo(
      23 * 0.0625,
      12,
    );
  });

  it('prices CloudWatch Logs per GB (2^30 bytes) ingested, each source on its own line, Step Functions as vended logs', () => {
    const meter = new UsageMeter();
    meter.logIngestion('Step Functions ingest', 2 * 2 ** 30, 13);
    meter.logIngestion('Lambda handlers (Powertools)', 2 ** 29, 5);
    const { items, dollars } = priceRun(meter.snapshot(), []);
    const logs = items.filter((i) => i.service === 'CloudWatch Logs');
    expect(logs.map((i) => [i.what, i.quantity])).toEqual([
      ['GB ingested: Step Functions ingest', 2],
      ['GB ingested: Lambda handlers (Powertools)', 0.5],
    ]);
    // $0.50 per GB, the first tier of vended logs as of standard ingestion: $1 + $0.25.
    expect(LIST_PRICES.cloudWatchLogs.vendedPerGbIngestedFirstTier).toBe(0.5);
    expect(LIST_PRICES.cloudWatchLogs.perGbIngested).toBe(0.5);
    expect(dollars).toBeCloseTo(1.25, 12);
  });

  it('takes the log bytes written between two snapshots, leaving out sources that wrote none', () => {
    const meter = new UsageMeter();
    meter.logIngestion('Step Functions ingest', 1000, 13);
    meter.logIngestion('Step Functions submission', 500, 3);
    const before = meter.snapshot();
    meter.logIngestion('Step Functions ingest', 900, 13);
    expect(usageBetween(before, meter.snapshot()).logs).toEqual({ 'Step Functions ingest': { bytes: 900, events: 13 } });
  });

  it('takes what happened between two snapshots', () => {
    const meter = usage();
    const before = meter.snapshot();
    meter.lambdaInvocation('Stage', 512, 100);
    meter.dynamodbRequest({ read: 1, write: 0 });
    const between = usageBetween(before, meter.snapshot());
    expect(Object.keys(between.lambda)).toEqual(['Stage']);
    expect(between.dynamodb).toEqual({ readUnits: 1, writeUnits: 0, requests: 1 });
    expect(between.s3).toEqual({ 'put-copy-post-list': 0, 'get-head-other': 0, delete: 0 });
  });

  it('takes the DynamoDB breakdown between two snapshots too, leaving out calls not made between them', () => {
    const meter = usage();
    meter.dynamodbRequest({ read: 0, write: 2 }, { label: 'PutItem AUDIT/EVENT', indexUnits: 1, refused: false });
    const before = meter.snapshot();
    meter.dynamodbRequest({ read: 0, write: 2 }, { label: 'PutItem AUDIT/EVENT', indexUnits: 1, refused: false });
    meter.dynamodbRequest({ read: 1, write: 0 }, { label: 'GetItem SUBMISSION/FILE', indexUnits: 0, refused: false });
    expect(usageBetween(before, meter.snapshot()).dynamodbCalls).toEqual({
      'PutItem AUDIT/EVENT': { requests: 1, refused: 0, readUnits: 0, writeUnits: 2, indexUnits: 1 },
      'GetItem SUBMISSION/FILE': { requests: 1, refused: 0, readUnits: 1, writeUnits: 0, indexUnits: 0 },
    });
  });
});
