import { createHash, randomUUID } from 'node:crypto';
import type { ActivityTracker } from './activity';
import type { LocalPipe, LocalQueue } from './template/local-model';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './template/names';
import type { UsageMeter } from './usage-meter';

/**
 * A local SQS queue and the EventBridge Pipe that reads it (the template's `AWS::SQS::Queue` and
 * `AWS::Pipes::Pipe`): the local event bus sends a rule's event to the queue, and the pipe hands the
 * queue's messages to a state machine in batches, as AWS does: a batch is handed on when it holds
 * `batchSize` messages or when the batching window has passed since its first message, as an array of
 * SQS records `{ messageId, receiptHandle, body, attributes, messageAttributes, md5OfBody, eventSource,
 * eventSourceARN, awsRegion }`, and its messages are deleted once the target accepted it. A message the
 * pipe could not hand on shows again after the queue's visibility timeout, and after `maxReceiveCount`
 * receives goes to the dead-letter queue. Every message is pending work for `idle()` until deleted.
 */

/** One SQS message as a Pipe (or Lambda's event source mapping) hands it to its target. */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: {
    readonly ApproximateReceiveCount: string;
    readonly SentTimestamp: string;
    readonly SenderId: string;
    readonly ApproximateFirstReceiveTimestamp: string;
  };
  readonly messageAttributes: Record<string, never>;
  readonly md5OfBody: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  /** While received and not deleted: the handle of that receive, and when it shows again. */
  inFlight?: { readonly receiptHandle: string; readonly timer: NodeJS.Timeout };
  /** Ends the message's share of the activity tracker (once deleted or dead-lettered). */
  readonly done: () => void;
}

/** SQS and Pipes bill each started 64 KB of a request's payload as one request. */
export const requestChunks = (bytes: number) => Math.max(1, Math.ceil(bytes / 65_536));

export interface LocalSqsQueueOptions {
  readonly tracker: ActivityTracker;
  readonly meter?: UsageMeter;
  readonly log?: (message: string) => void;
}

export class LocalSqsQueue {
  private readonly messages = new Map<string, Message>();
  private readonly listeners: Array<() => void> = [];
  private readonly log: (message: string) => void;
  /** Bodies moved to the dead-letter queue (which nothing reads locally: an alarm in AWS). */
  readonly deadLetters: string[] = [];

  constructor(
    readonly spec: LocalQueue,
    private readonly options: LocalSqsQueueOptions,
  ) {
    this.log = options.log ?? (() => undefined);
  }

  /** SendMessage: the message is pending work until a consumer deletes it. */
  send(body: string): string {
    this.options.meter?.sqsRequest('send', requestChunks(Buffer.byteLength(body)));
    const messageId = randomUUID();
    this.messages.set(messageId, {
      messageId,
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      sentAt: Date.now(),
      receiveCount: 0,
      done: this.options.tracker.begin(),
    });
    for (const listener of this.listeners) listener();
    return messageId;
  }

  /** Called after each send (the pipe's poller, which AWS runs as a long poll). */
  onMessage(listener: () => void): void {
    this.listeners.push(listener);
  }

  get visibleCount(): number {
    let n = 0;
    for (const m of this.messages.values()) if (!m.inFlight) n += 1;
    return n;
  }

  /** Messages in the queue, visible or in flight (diagnostics, tests). */
  get size(): number {
    return this.messages.size;
  }

  /** ReceiveMessage: up to `max` visible messages, oldest first, hidden for the visibility timeout. */
  receive(max: number): SqsRecord[] {
    const now = Date.now();
    const records: SqsRecord[] = [];
    for (const m of this.messages.values()) {
      if (records.length >= max) break;
      if (m.inFlight) continue;
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      const receiptHandle = randomUUID();
      const timer = setTimeout(() => this.reappear(m), this.spec.visibilityTimeoutSeconds * 1000);
      timer.unref();
      m.inFlight = { receiptHandle, timer };
      records.push({
        messageId: m.messageId,
        receiptHandle,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          SenderId: LOCAL_ACCOUNT,
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
        },
        messageAttributes: {},
        md5OfBody: m.md5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: this.spec.arn,
        awsRegion: LOCAL_REGION,
      });
    }
    this.options.meter?.sqsRequest('receive', requestChunks(Buffer.byteLength(JSON.stringify(records))));
    return records;
  }

  /** DeleteMessageBatch: one request for the handles of one receive. */
  deleteBatch(receiptHandles: readonly string[]): void {
    this.options.meter?.sqsRequest('delete', 1);
    const handles = new Set(receiptHandles);
    for (const m of this.messages.values()) {
      if (!m.inFlight || !handles.has(m.inFlight.receiptHandle)) continue;
      clearTimeout(m.inFlight.timer);
      this.messages.delete(m.messageId);
      m.done();
    }
  }

  /** Stops the visibility timers; messages still queued are lost with the process, as a crash would lose them (SQS would keep them). */
  stop(): void {
    for (const m of this.messages.values()) {
      if (m.inFlight) clearTimeout(m.inFlight.timer);
      m.done();
    }
    this.messages.clear();
  }

  private reappear(m: Message): void {
    if (!this.messages.has(m.messageId)) return;
    delete m.inFlight;
    const maxReceiveCount = this.spec.deadLetter?.maxReceiveCount;
    if (maxReceiveCount !== undefined && m.receiveCount >= maxReceiveCount) {
      this.messages.delete(m.messageId);
      this.log(`sqs ${this.spec.name}: message ${m.messageId} moved to the dead-letter queue after ${m.receiveCount} receives`);
      this.deadLetters.push(m.body);
      m.done();
      return;
    }
    for (const listener of this.listeners) listener();
  }
}

/** Starts the pipe's target with one batch of records; throws when the target refuses it. */
export type PipeTargetStarter = (targetArn: string, records: readonly SqsRecord[]) => void;

export interface LocalPipeOptions {
  readonly start: PipeTargetStarter;
  readonly meter?: UsageMeter;
  readonly log?: (message: string) => void;
  /** Replaces the template's batching window (tests); absent: the template's. */
  readonly windowMs?: number;
}

export class LocalSqsPipe {
  private timer: NodeJS.Timeout | undefined;
  private readonly windowMs: number;
  private readonly log: (message: string) => void;
  private stopped = false;

  constructor(
    readonly spec: LocalPipe,
    private readonly queue: LocalSqsQueue,
    private readonly options: LocalPipeOptions,
  ) {
    this.windowMs = options.windowMs ?? spec.windowSeconds * 1000;
    this.log = options.log ?? (() => undefined);
    if (spec.enabled) queue.onMessage(() => this.poll());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A full batch goes at once; a partial one when the window that its first message opened has passed. */
  private poll(): void {
    if (this.stopped) return;
    if (this.queue.visibleCount >= this.spec.batchSize || this.windowMs === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.flush(this.windowMs === 0);
    }
    if (this.queue.visibleCount > 0 && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush(true);
      }, this.windowMs);
    }
  }

  /** Hands on every full batch, and the last partial one too when `partial`. */
  private flush(partial: boolean): void {
    while (!this.stopped && (this.queue.visibleCount >= this.spec.batchSize || (partial && this.queue.visibleCount > 0))) {
      const records = this.queue.receive(this.spec.batchSize);
      this.options.meter?.pipeRequest(requestChunks(Buffer.byteLength(JSON.stringify(records))));
      try {
        // FIRE_AND_FORGET: StartExecution accepted the batch; the execution's own outcome is not the pipe's.
        this.options.start(this.spec.targetArn, records);
        this.queue.deleteBatch(records.map((r) => r.receiptHandle));
      } catch (error) {
        // Left in flight: the messages show again after the visibility timeout.
        this.log(`pipe ${this.spec.name}: could not start its target: ${error instanceof Error ? error.name : 'Error'}`);
        return;
      }
    }
  }
}

export interface QueuesAndPipes {
  /** The template's queues by ARN. */
  readonly byArn: ReadonlyMap<string, LocalSqsQueue>;
  readonly pipes: readonly LocalSqsPipe[];
  stop(): void;
}

/** The template's queues, and its pipes reading them; a pipe the local commons cannot run as AWS would is refused. */
export function startQueuesAndPipes(
  model: { readonly queues: ReadonlyMap<string, LocalQueue>; readonly pipes: readonly LocalPipe[] },
  options: LocalSqsQueueOptions & Omit<LocalPipeOptions, 'meter' | 'log'>,
): QueuesAndPipes {
  const byArn = new Map([...model.queues.values()].map((q) => [q.arn, new LocalSqsQueue(q, options)] as const));
  const pipes = model.pipes.map((spec) => {
    const queue = byArn.get(spec.sourceArn);
    if (!queue) throw new Error(`pipe ${spec.name}: its source queue ${spec.sourceArn} is not in the template`);
    if (spec.invocationType !== 'FIRE_AND_FORGET') {
      throw new Error(`pipe ${spec.name}: only FIRE_AND_FORGET state machine targets run locally`);
    }
    return new LocalSqsPipe(spec, queue, options);
  });
  return {
    byArn,
    pipes,
    stop: () => {
      for (const pipe of pipes) pipe.stop();
      for (const queue of byArn.values()) queue.stop();
    },
  };
}
