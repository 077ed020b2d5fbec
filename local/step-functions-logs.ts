import type { WorkflowLogging } from './template/local-model';

/**
 * The CloudWatch Logs events a Step Functions execution would write at its state machine's logging
 * level, rebuilt from what the local runner saw (each state's input and output, each task call's
 * parameters and result, each failure), so that `bench cost` can price their bytes.
 *
 * One log event per execution history event, in the shape Step Functions delivers (a logged ERROR
 * event from a deployed workflow reads `{"id":"5","type":"LambdaFunctionFailed","details":{...},
 * "previous_event_id":"4","event_timestamp":"1668385717164","execution_arn":"..."}`); the history
 * event types follow the API's HistoryEvent (TaskStateEntered, TaskScheduled, TaskStarted,
 * TaskSucceeded, TaskStateExited, ...). Which types each level logs is the table of the Step Functions
 * developer guide, "Log levels" (cloudwatch-log-level): ALL every one, ERROR the failures below,
 * FATAL the execution's own failure. Without execution data the events keep their names, errors and
 * causes but not their input, output or task parameters. An input or output whose escaped text
 * exceeds 248 KB is truncated, as CloudWatch Logs' quota makes Step Functions do. Left out: the
 * MapStateStarted and ParallelStateStarted events and a Parallel's branch events (small, and none
 * of the per-object workflows has such a state).
 */

/** What the runner saw of one execution, in order. */
export type ExecutionStep =
  | { readonly kind: 'execution-started'; readonly at: number; readonly input: unknown }
  | { readonly kind: 'entered'; readonly at: number; readonly state: string; readonly stateType: string; readonly input: unknown }
  | { readonly kind: 'exited'; readonly at: number; readonly state: string; readonly stateType: string; readonly output: unknown }
  | {
      readonly kind: 'failed';
      readonly at: number;
      readonly state: string;
      readonly stateType: string;
      readonly error: string;
      readonly cause?: unknown;
    }
  | { readonly kind: 'retried'; readonly at: number; readonly state: string; readonly stateType: string }
  | {
      readonly kind: 'map-iteration';
      readonly at: number;
      readonly state: string;
      readonly index: number;
      readonly outcome: 'started' | 'succeeded' | 'failed';
    }
  | { readonly kind: 'execution-succeeded'; readonly at: number; readonly output: unknown }
  | { readonly kind: 'execution-failed'; readonly at: number; readonly error: string; readonly cause?: unknown }
  | { readonly kind: 'execution-aborted'; readonly at: number }
  | { readonly kind: 'execution-timed-out'; readonly at: number };

/** One call of a Task state's resource: what Step Functions sent and what came back (absent when it failed). */
export interface TaskCall {
  readonly resource: string;
  readonly parameters: unknown;
  readonly result?: unknown;
}

export interface LoggedExecution {
  readonly executionArn: string;
  readonly roleArn: string;
  readonly region: string;
  readonly steps: readonly ExecutionStep[];
  /** Each Task state's calls, in the order they were made (one per attempt). */
  readonly taskCalls: ReadonlyMap<string, readonly TaskCall[]>;
}

export interface StepFunctionsLogEvent {
  readonly id: string;
  readonly type: string;
  readonly details: Record<string, unknown>;
  readonly previous_event_id: string;
  readonly event_timestamp: string;
  readonly execution_arn: string;
}

/** History event types logged at ERROR (every type is logged at ALL). */
const ERROR_TYPES: ReadonlySet<string> = new Set([
  'ExecutionAborted',
  'ExecutionFailed',
  'ExecutionTimedOut',
  'FailStateEntered',
  'LambdaFunctionFailed',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'LambdaFunctionTimedOut',
  'MapIterationAborted',
  'MapIterationFailed',
  'MapStateAborted',
  'MapStateFailed',
  'ParallelStateAborted',
  'ParallelStateFailed',
  'TaskFailed',
  'TaskStartFailed',
  'TaskStateAborted',
  'TaskSubmitFailed',
  'TaskTimedOut',
  'WaitStateAborted',
]);
/** History event types logged at FATAL. */
const FATAL_TYPES: ReadonlySet<string> = new Set(['ExecutionAborted', 'ExecutionFailed', 'ExecutionTimedOut']);

/** The largest escaped input or output a log event carries whole. */
export const MAX_LOGGED_DATA_CHARS = 248 * 1024;

const LAMBDA_FUNCTION_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:/;
const STATES_INTEGRATION = /^arn:[^:]+:states:::([^:]+):([^.:]+)/;

/**
 * What AWS adds to a `lambda:invoke` task's result besides the function's payload: the HTTP metadata of
 * the Invoke call (its headers twice, as a map of lists and of strings, and the request id). The local
 * runner's result has only ExecutedVersion, Payload and StatusCode.
 */
function sdkMetadata(requestId: string, contentLength: number): Record<string, unknown> {
  const headers: Record<string, string> = {
    Connection: 'keep-alive',
    'Content-Length': String(contentLength),
    'Content-Type': 'application/json',
    Date: 'Mon, 07 Dec 2026 00:00:00 GMT',
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
    'X-Amzn-Trace-Id': 'root=1-6754a2c0-0123456789abcdef01234567;parent=0123456789abcdef;sampled=1',
  };
  return {
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

/** Every history event of the execution, with its ids, whatever the level. */
export function executionHistoryEvents(execution: LoggedExecution, includeExecutionData: boolean): StepFunctionsLogEvent[] {
  const events: StepFunctionsLogEvent[] = [];
  const calls = new Map([...execution.taskCalls].map(([state, list]) => [state, [...list]]));
  const current = new Map<string, TaskCall | undefined>();
  const add = (type: string, at: number, details: Record<string, unknown>) => {
    const id = events.length + 1;
    events.push({
      id: String(id),
      type,
      details,
      previous_event_id: String(id - 1),
      event_timestamp: String(at),
      execution_arn: execution.executionArn,
    });
  };
  const data = (field: 'input' | 'output' | 'parameters', value: unknown): Record<string, unknown> => {
    if (!includeExecutionData) return {};
    const text = JSON.stringify(value ?? null);
    const truncated = JSON.stringify(text).length > MAX_LOGGED_DATA_CHARS;
    const logged = truncated ? text.slice(0, MAX_LOGGED_DATA_CHARS / 2) : text;
    return field === 'parameters' ? { parameters: logged } : { [field]: logged, [`${field}Details`]: { truncated } };
  };
  const taskResource = (call: TaskCall | undefined) => {
    const resource = call?.resource ?? '';
    if (LAMBDA_FUNCTION_ARN.test(resource)) return { lambda: true, details: { resource } };
    const [, resourceType = 'unknown', name = 'unknown'] = STATES_INTEGRATION.exec(resource) ?? [];
    return { lambda: false, details: { resourceType, resource: name } };
  };
  const startAttempt = (state: string, at: number) => {
    const call = calls.get(state)?.shift();
    current.set(state, call);
    const { lambda, details } = taskResource(call);
    if (lambda) {
      add('LambdaFunctionScheduled', at, { ...details, ...data('input', call?.parameters) });
      add('LambdaFunctionStarted', at, {});
    } else {
      add('TaskScheduled', at, { ...details, region: execution.region, ...data('parameters', call?.parameters) });
      add('TaskStarted', at, details);
    }
  };
  const taskOutput = (call: TaskCall | undefined, resourceType: unknown): unknown => {
    const result = call?.result;
    if (resourceType !== 'lambda' || !result || typeof result !== 'object') return result;
    const payload = JSON.stringify((result as { Payload?: unknown }).Payload ?? null);
    return { ...(result as Record<string, unknown>), ...sdkMetadata('8f0e6c1a-3b2d-4c5e-9f70-1a2b3c4d5e6f', Buffer.byteLength(payload)) };
  };

  for (const step of execution.steps) {
    switch (step.kind) {
      case 'execution-started':
        add('ExecutionStarted', step.at, { ...data('input', step.input), roleArn: execution.roleArn });
        break;
      case 'entered':
        add(`${step.stateType}StateEntered`, step.at, { name: step.state, ...data('input', step.input) });
        if (step.stateType === 'Task') startAttempt(step.state, step.at);
        break;
      case 'retried':
        // A Task's retry is a new attempt; a Map's or Parallel's runs its branches again (their own events follow).
        if (step.stateType === 'Task') startAttempt(step.state, step.at);
        break;
      case 'failed': {
        const error = { error: step.error, ...(step.cause === undefined ? {} : { cause: causeText(step.cause) }) };
        if (step.stateType === 'Task') {
          const { lambda, details } = taskResource(current.get(step.state));
          add(lambda ? 'LambdaFunctionFailed' : 'TaskFailed', step.at, lambda ? error : { ...details, ...error });
        } else if (step.stateType === 'Map' || step.stateType === 'Parallel') {
          add(`${step.stateType}StateFailed`, step.at, {});
        }
        // A Fail state's error is the execution's: ExecutionFailed carries it.
        break;
      }
      case 'exited': {
        if (step.stateType === 'Task') {
          const call = current.get(step.state);
          // Exited after a caught failure: the attempt already logged its TaskFailed.
          if (call && call.result !== undefined) {
            const { lambda, details } = taskResource(call);
            if (lambda) add('LambdaFunctionSucceeded', step.at, data('output', call.result));
            else add('TaskSucceeded', step.at, { ...details, ...data('output', taskOutput(call, details.resourceType)) });
          }
          current.delete(step.state);
        } else if (step.stateType === 'Map' || step.stateType === 'Parallel') {
          add(`${step.stateType}StateSucceeded`, step.at, {});
        }
        add(`${step.stateType}StateExited`, step.at, { name: step.state, ...data('output', step.output) });
        break;
      }
      case 'map-iteration':
        add(`MapIteration${step.outcome === 'started' ? 'Started' : step.outcome === 'succeeded' ? 'Succeeded' : 'Failed'}`, step.at, {
          name: step.state,
          index: step.index,
        });
        break;
      case 'execution-succeeded':
        add('ExecutionSucceeded', step.at, data('output', step.output));
        break;
      case 'execution-failed':
        add('ExecutionFailed', step.at, { error: step.error, ...(step.cause === undefined ? {} : { cause: causeText(step.cause) }) });
        break;
      case 'execution-aborted':
        add('ExecutionAborted', step.at, {});
        break;
      case 'execution-timed-out':
        add('ExecutionTimedOut', step.at, { error: 'States.Timeout' });
        break;
    }
  }
  return events;
}

function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

/** The log events the execution writes at its workflow's logging level. */
export function stepFunctionsLogEvents(execution: LoggedExecution, logging: WorkflowLogging): StepFunctionsLogEvent[] {
  if (logging.level === 'OFF') return [];
  const all = executionHistoryEvents(execution, logging.includeExecutionData);
  if (logging.level === 'ALL') return all;
  const kept = logging.level === 'ERROR' ? ERROR_TYPES : FATAL_TYPES;
  return all.filter((event) => kept.has(event.type));
}

/** Bytes CloudWatch Logs ingests for these events: each one's JSON text in UTF-8. */
export function logEventBytes(events: readonly StepFunctionsLogEvent[]): number {
  return events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
}
