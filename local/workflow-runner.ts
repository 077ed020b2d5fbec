import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { ActivityTracker } from './activity';
import type { TaskInvoke } from './faults';
import { logEventBytes, stepFunctionsLogEvents, type ExecutionStep, type TaskCall } from './step-functions-logs';
import type { WorkflowLogging } from './template/local-model';
import type { UsageMeter } from './usage-meter';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './template/names';
import type { ValidatedDefinitions } from './validated-definitions';

/**
 * Runs the synthesized state machine definitions with aws-local-stepfunctions.
 * Lambda tasks are routed to the in-process handlers; executions run in the
 * background, are kept in a registry with their status, and a failed execution is
 * always logged (error name and state only, never data).
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface StateTransition {
  readonly state: string;
  readonly event: 'entered' | 'exited' | 'failed' | 'retried' | 'caught';
  readonly error?: string;
}

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly workflow: string;
  readonly name: string;
  readonly input: unknown;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: unknown;
  /** The execution's error (name) and the state where it happened, when it failed. */
  error?: { readonly name: string; readonly state?: string; readonly cause?: string };
  /** States entered, exited, retried, caught, in order. */
  readonly history: StateTransition[];
}

export interface RunnerWorkflow {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly definition: Record<string, unknown>;
  /** Its LoggingConfiguration: with a meter, the bytes its executions would log are counted. */
  readonly logging?: WorkflowLogging;
}

/** Invokes a Lambda function by name or ARN; rejects with an error whose `name` is the error type. */
export type LambdaInvoke = (functionName: string, payload: unknown) => Promise<unknown>;

export interface WorkflowRunnerOptions {
  readonly invokeLambda: LambdaInvoke;
  /** Other Task resources (`arn:aws:states:::events:putEvents`...) handled locally. */
  readonly integrations?: Readonly<Record<string, (parameters: unknown) => Promise<unknown>>>;
  readonly tracker?: ActivityTracker;
  readonly log?: (message: string) => void;
  /** Where failed executions are reported (default: `log`). */
  readonly warn?: (message: string) => void;
  /** Replaces every Retry interval with this many ms (tests); absent: the definition's intervals. */
  readonly retryIntervalMs?: number;
  /** Wraps every Lambda task invocation (fault injection, local/faults.ts); absent: invoked as is. */
  readonly wrapTask?: (invoke: TaskInvoke) => TaskInvoke;
  /** Definitions validated at an earlier start, not validated again (local/validated-definitions.ts); absent: always validated. */
  readonly validated?: ValidatedDefinitions;
  /** Counts the CloudWatch Logs bytes each execution would write at its workflow's level (bench cost); absent: none. */
  readonly meter?: UsageMeter;
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:/;
/** Upper bound for a Lambda task without TimeoutSeconds (the library's default is 60 s; Lambda's max is 900 s). */
const LAMBDA_TASK_TIMEOUT_SECONDS = 960;

export class WorkflowNotFoundError extends Error {
  override readonly name = 'StateMachineDoesNotExist';
}

interface Prepared {
  readonly workflow: RunnerWorkflow;
  readonly machine: StateMachine;
  readonly overrides: Record<string, (input: unknown) => Promise<unknown>>;
  readonly retryStates: string[];
}

export class WorkflowRunner {
  private readonly machines = new Map<string, Prepared>();
  private readonly records: ExecutionRecord[] = [];
  private readonly running = new Set<Promise<void>>();
  readonly tracker: ActivityTracker;
  private readonly warn: (message: string) => void;
  private readonly invokeTask: TaskInvoke;
  /** The task calls of the execution a task override runs in, while its logs are metered. */
  private readonly taskCalls = new AsyncLocalStorage<Map<string, TaskCall[]>>();

  constructor(private readonly options: WorkflowRunnerOptions) {
    this.tracker = options.tracker ?? new ActivityTracker();
    this.warn = options.warn ?? options.log ?? (() => undefined);
    const invoke: TaskInvoke = ({ functionName, payload }) => options.invokeLambda(functionName, payload);
    this.invokeTask = options.wrapTask ? options.wrapTask(invoke) : invoke;
  }

  /** Registers a workflow; its definition is validated here (unless `validated` knows it), so a bad one fails at startup. */
  register(workflow: RunnerWorkflow): void {
    // A JSON copy, not structuredClone: under jest, structuredClone returns objects of
    // another realm, which aws-local-stepfunctions' isPlainObj() rejects, leaving nested
    // Parameters (`Payload: {"key.$": ...}`) silently unresolved.
    const definition = JSON.parse(JSON.stringify(workflow.definition)) as Record<string, unknown>;
    const overrides: Prepared['overrides'] = {};
    const retryStates: string[] = [];
    forEachState(definition, (stateName, state) => {
      if (Array.isArray(state.Retry)) retryStates.push(stateName);
      if (state.Type !== 'Task' || typeof state.Resource !== 'string') return;
      const resource = state.Resource;
      if (resource === LAMBDA_INVOKE) {
        if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined)
          state.TimeoutSeconds = LAMBDA_TASK_TIMEOUT_SECONDS;
        overrides[stateName] = async (input) => {
          const { FunctionName, Payload } = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
          if (typeof FunctionName !== 'string') throw taskError('States.Runtime', `${stateName}: lambda:invoke without FunctionName`);
          return this.recordCall(stateName, resource, input, async () => {
            const result = await this.invokeTask({
              workflow: workflow.id,
              state: stateName,
              functionName: FunctionName,
              payload: Payload === undefined ? input : Payload,
            });
            return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 } as never;
          });
        };
      } else if (LAMBDA_ARN.test(resource)) {
        if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined)
          state.TimeoutSeconds = LAMBDA_TASK_TIMEOUT_SECONDS;
        overrides[stateName] = async (input) =>
          this.recordCall(
            stateName,
            resource,
            input,
            async () =>
              (await this.invokeTask({ workflow: workflow.id, state: stateName, functionName: resource, payload: input })) as never,
          );
      } else {
        const integration = this.options.integrations?.[resource];
        overrides[stateName] = integration
          ? async (input) => this.recordCall(stateName, resource, input, async () => (await integration(input)) as never)
          : async () => {
              throw taskError('States.Runtime', `${stateName}: Task resource ${resource} is not supported locally`);
            };
      }
    });
    const validated = this.options.validated?.entry(definition);
    const machine = new StateMachine(
      definition as unknown as StateMachineDefinition,
      validated?.known ? { validationOptions: { noValidate: true } } : undefined,
    );
    if (validated && !validated.known) validated.remember();
    const prepared: Prepared = { workflow, machine, overrides, retryStates };
    this.machines.set(workflow.arn, prepared);
    this.machines.set(workflow.id, prepared);
  }

  /** Starts an execution in the background (StartExecution); returns its record at once. */
  start(stateMachineArnOrId: string, input: unknown, name: string = randomUUID()): ExecutionRecord {
    const prepared = this.machines.get(stateMachineArnOrId);
    if (!prepared) throw new WorkflowNotFoundError(`State Machine Does Not Exist: '${stateMachineArnOrId}'`);
    const { workflow } = prepared;
    const record: ExecutionRecord = {
      executionArn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${workflow.name}:${name}`,
      stateMachineArn: workflow.arn,
      workflow: workflow.id,
      name,
      input: JSON.parse(JSON.stringify(input ?? {})),
      startDate: new Date(),
      status: 'RUNNING',
      history: [],
    };
    this.records.push(record);
    const end = this.tracker.begin();
    const done = this.execute(prepared, record).finally(() => {
      this.running.delete(done);
      end();
    });
    this.running.add(done);
    return record;
  }

  /** Starts an execution and waits for it to finish. */
  async run(stateMachineArnOrId: string, input: unknown, name?: string): Promise<ExecutionRecord> {
    const record = this.start(stateMachineArnOrId, input, name);
    await this.waitFor(record);
    return record;
  }

  async waitFor(record: ExecutionRecord): Promise<void> {
    while (record.status === 'RUNNING') await Promise.race([...this.running]);
  }

  executions(): readonly ExecutionRecord[] {
    return this.records;
  }

  idle(): Promise<void> {
    return this.tracker.idle();
  }

  /** Runs one call of a Task state's resource, noting its parameters and result when the execution's logs are metered. */
  private async recordCall<T>(state: string, resource: string, parameters: unknown, call: () => Promise<T>): Promise<T> {
    const calls = this.taskCalls.getStore();
    if (!calls) return call();
    const list = calls.get(state) ?? [];
    calls.set(state, list);
    try {
      const result = await call();
      list.push({ resource, parameters, result });
      return result;
    } catch (error) {
      list.push({ resource, parameters });
      throw error;
    }
  }

  private async execute(prepared: Prepared, record: ExecutionRecord): Promise<void> {
    const logging = prepared.workflow.logging;
    const metered =
      this.options.meter && logging && logging.level !== 'OFF'
        ? { steps: [] as ExecutionStep[], calls: new Map<string, TaskCall[]>() }
        : undefined;
    try {
      await (metered
        ? this.taskCalls.run(metered.calls, () => this.runExecution(prepared, record, metered.steps))
        : this.runExecution(prepared, record));
    } finally {
      if (metered && logging) this.meterLogs(prepared.workflow, record, logging, metered.steps, metered.calls);
    }
  }

  /** Counts the log events the execution would have written at its workflow's level. */
  private meterLogs(
    workflow: RunnerWorkflow,
    record: ExecutionRecord,
    logging: WorkflowLogging,
    steps: ExecutionStep[],
    taskCalls: Map<string, TaskCall[]>,
  ): void {
    const at = (record.stopDate ?? new Date()).getTime();
    const ended = steps.some((s) => s.kind.startsWith('execution-') && s.kind !== 'execution-started');
    if (!ended && record.status === 'TIMED_OUT') steps.push({ kind: 'execution-timed-out', at });
    if (!ended && record.status === 'ABORTED') steps.push({ kind: 'execution-aborted', at });
    const events = stepFunctionsLogEvents(
      { executionArn: record.executionArn, roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local`, region: LOCAL_REGION, steps, taskCalls },
      logging,
    );
    this.options.meter?.logIngestion(`Step Functions ${workflow.id}`, logEventBytes(events), events.length);
  }

  private async runExecution(prepared: Prepared, record: ExecutionRecord, steps?: ExecutionStep[]): Promise<void> {
    const retryIntervalOverrides =
      this.options.retryIntervalMs === undefined
        ? undefined
        : Object.fromEntries(prepared.retryStates.map((s) => [s, this.options.retryIntervalMs as number]));
    let lastFailedState: string | undefined;
    let logs: Promise<void> = Promise.resolve();
    try {
      const execution = prepared.machine.run(record.input as never, {
        overrides: {
          taskResourceLocalHandlers: prepared.overrides as never,
          ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
        },
        context: {
          Execution: {
            Id: record.executionArn,
            Name: record.name,
            Input: record.input as never,
            StartTime: record.startDate.toISOString(),
            RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local`,
          },
          StateMachine: { Id: prepared.workflow.arn, Name: prepared.workflow.name },
        },
      });
      logs = (async () => {
        for await (const event of execution.eventLogs) {
          if (steps) {
            const logged = executionStepOf(event);
            if (logged) steps.push(logged);
          }
          const step = transitionOf(event);
          if (!step) continue;
          record.history.push(step);
          if (step.event === 'failed') lastFailedState = step.state;
        }
      })().catch(() => undefined);
      const output = await execution.result;
      await logs;
      record.output = output;
      record.status = 'SUCCEEDED';
    } catch (error) {
      await logs;
      const failure = executionFailure(error);
      record.status = failure.status;
      record.error = {
        name: failure.name,
        ...(lastFailedState ? { state: lastFailedState } : {}),
        ...(failure.cause ? { cause: failure.cause } : {}),
      };
      this.warn(
        `workflow ${prepared.workflow.id} execution ${record.name} ${failure.status}: ${failure.name}` +
          (lastFailedState ? ` in state ${lastFailedState}` : ''),
      );
    } finally {
      record.stopDate = new Date();
    }
  }
}

function taskError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function transitionOf(event: unknown): StateTransition | undefined {
  const e = event as { type?: string; state?: { name?: string }; Error?: string };
  const state = e.state?.name;
  if (!state) return undefined;
  switch (e.type) {
    case 'StateEntered':
      return { state, event: 'entered' };
    case 'StateExited':
      return { state, event: 'exited' };
    case 'StateFailed':
      return { state, event: 'failed', ...(e.Error ? { error: e.Error } : {}) };
    case 'StateRetried':
      return { state, event: 'retried' };
    case 'StateCaught':
      return { state, event: 'caught' };
    default:
      return undefined;
  }
}

/** The runner's event as a step of the execution's logged history; undefined for those Step Functions logs nothing of. */
function executionStepOf(event: unknown): ExecutionStep | undefined {
  const e = event as {
    type?: string;
    timestamp?: number;
    input?: unknown;
    output?: unknown;
    Error?: string;
    Cause?: unknown;
    index?: number;
    state?: { name?: string; type?: string; input?: unknown; output?: unknown };
    parentState?: { name?: string };
  };
  const at = e.timestamp ?? Date.now();
  const state = e.state?.name ?? '';
  const stateType = e.state?.type ?? '';
  switch (e.type) {
    case 'ExecutionStarted':
      return { kind: 'execution-started', at, input: e.input };
    case 'ExecutionSucceeded':
      return { kind: 'execution-succeeded', at, output: e.output };
    case 'ExecutionFailed':
      return { kind: 'execution-failed', at, error: e.Error ?? 'Error', cause: e.Cause };
    case 'ExecutionTerminated':
      return { kind: 'execution-aborted', at };
    case 'StateEntered':
      return { kind: 'entered', at, state, stateType, input: e.state?.input };
    case 'StateExited':
      return { kind: 'exited', at, state, stateType, output: e.state?.output };
    case 'StateFailed':
      return { kind: 'failed', at, state, stateType, error: e.Error ?? 'Error', cause: e.Cause };
    case 'StateRetried':
      return { kind: 'retried', at, state, stateType };
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
      return {
        kind: 'map-iteration',
        at,
        state: e.parentState?.name ?? '',
        index: e.index ?? 0,
        outcome: e.type === 'MapIterationStarted' ? 'started' : e.type === 'MapIterationSucceeded' ? 'succeeded' : 'failed',
      };
    default:
      return undefined;
  }
}

function executionFailure(error: unknown): { status: ExecutionStatus; name: string; cause?: string } {
  const e = error as { name?: string; cause?: unknown };
  if (e?.name === 'ExecutionAbortedError') return { status: 'ABORTED', name: 'ExecutionAborted' };
  if (e?.name === 'ExecutionTimeoutError') return { status: 'TIMED_OUT', name: 'States.Timeout' };
  // ExecutionError wraps the state's error (a Fail state's Error, or a task error nobody caught).
  const inner = e?.cause as { name?: string; message?: string } | undefined;
  if (inner && typeof inner.name === 'string') {
    return { status: 'FAILED', name: inner.name, ...(inner.message ? { cause: inner.message } : {}) };
  }
  return { status: 'FAILED', name: e?.name ?? 'Error' };
}

type StateDef = Record<string, unknown> & {
  Type?: string;
  Resource?: unknown;
  Retry?: unknown;
  TimeoutSeconds?: unknown;
  TimeoutSecondsPath?: unknown;
};

/** Visits every state, including those nested in Map and Parallel states. */
function forEachState(definition: Record<string, unknown>, visit: (name: string, state: StateDef) => void): void {
  const states = definition.States as Record<string, StateDef> | undefined;
  for (const [name, state] of Object.entries(states ?? {})) {
    visit(name, state);
    for (const nested of [state.Iterator, state.ItemProcessor]) {
      if (nested && typeof nested === 'object') forEachState(nested as Record<string, unknown>, visit);
    }
    if (Array.isArray(state.Branches)) for (const b of state.Branches) forEachState(b as Record<string, unknown>, visit);
  }
}
