import { createHash } from 'node:crypto';
import { ActivityTracker } from '../../../local/activity';
import { LocalSqsPipe, LocalSqsQueue, requestChunks, type SqsRecord } from '../../../local/sqs-pipe';
import type { LocalPipe, LocalQueue } from '../../../local/template/local-model';
import { UsageMeter } from '../../../local/usage-meter';

const queueSpec: LocalQueue = {
  logicalId: 'IngestQueue',
  name: 'ingest-queue',
  arn: 'arn:aws:sqs:us-east-1:000000000000:ingest-queue',
  visibilityTimeoutSeconds: 0.05,
  deadLetter: { arn: 'arn:aws:sqs:us-east-1:000000000000:ingest-dlq', maxReceiveCount: 2 },
};
const pipeSpec: LocalPipe = {
  logicalId: 'IngestPipe',
  name: 'ingest-pipe',
  sourceArn: queueSpec.arn,
  targetArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:ingest-batch',
  batchSize: 3,
  windowSeconds: 60,
  invocationType: 'FIRE_AND_FORGET',
  enabled: true,
};

const setup = (windowMs: number, start: (records: readonly SqsRecord[]) => void = () => undefined) => {
  const tracker = new ActivityTracker();
  const meter = new UsageMeter();
  const queue = new LocalSqsQueue(queueSpec, { tracker, meter });
  const batches: SqsRecord[][] = [];
  const pipe = new LocalSqsPipe(pipeSpec, queue, {
    windowMs,
    meter,
    start: (arn, records) => {
      expect(arn).toBe(pipeSpec.targetArn);
      start(records);
      batches.push([...records]);
    },
  });
  return { tracker, meter, queue, pipe, batches };
};

afterEach(() => jest.useRealTimers());

describe('the local SQS queue and its pipe', () => {
  it('hands on a full batch at once, as SQS records, and deletes its messages', () => {
    const { queue, batches, tracker, meter, pipe } = setup(60_000);
    for (const body of ['{"a":1}', '{"a":2}', '{"a":3}']) queue.send(body);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((r) => r.body)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
    expect(batches[0]![0]).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: '{"a":1}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d+$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update('{"a":1}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queueSpec.arn,
      awsRegion: expect.any(String),
    });
    expect(queue.size).toBe(0);
    expect(tracker.inFlight).toBe(0);
    expect(meter.snapshot()).toMatchObject({ sqs: { send: 3, receive: 1, delete: 1 }, pipes: { requests: 1 } });
    pipe.stop();
  });

  it('holds a partial batch, pending for idle(), until the window that its first message opened has passed', async () => {
    jest.useFakeTimers();
    const { queue, batches, tracker } = setup(500);
    queue.send('{"a":1}');
    jest.advanceTimersByTime(300);
    queue.send('{"a":2}');
    expect(batches).toHaveLength(0);
    expect(tracker.inFlight).toBe(2);
    jest.advanceTimersByTime(200);
    expect(batches.map((b) => b.length)).toEqual([2]);
    expect(tracker.inFlight).toBe(0);
  });

  it('under load fills batches: seven messages in one window go as 3, 3 and, when the window passes, 1', () => {
    jest.useFakeTimers();
    const { queue, batches } = setup(500);
    for (let i = 0; i < 7; i += 1) queue.send(`{"i":${i}}`);
    expect(batches.map((b) => b.length)).toEqual([3, 3]);
    jest.advanceTimersByTime(500);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat().map((r) => r.body)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `{"i":${i}}`));
  });

  it('shows a batch its target refused again after the visibility timeout, and dead-letters it after maxReceiveCount receives', async () => {
    let refuse = true;
    const { queue, tracker, batches } = setup(0, () => {
      if (refuse) throw Object.assign(new Error('no such state machine'), { name: 'StateMachineDoesNotExist' });
    });
    queue.send('{"a":1}');
    expect(queue.size).toBe(1);
    expect(tracker.inFlight).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    // Received a second time (ApproximateReceiveCount 2) and refused again: maxReceiveCount 2 is reached.
    await new Promise((r) => setTimeout(r, 80));
    expect(queue.size).toBe(0);
    expect(queue.deadLetters).toEqual(['{"a":1}']);
    expect(tracker.inFlight).toBe(0);
    refuse = false;
    queue.send('{"b":2}');
    expect(batches.map((b) => b.map((r) => [r.body, r.attributes.ApproximateReceiveCount]))).toEqual([[['{"b":2}', '1']]]);
  });

  it('bills each started 64 KB of a request as one request', () => {
    expect([0, 1, 65_536, 65_537, 200_000].map(requestChunks)).toEqual([1, 1, 1, 2, 4]);
  });
});
