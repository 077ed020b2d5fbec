import {
  logEventBytes,
  MAX_LOGGED_DATA_CHARS,
  stepFunctionsLogEvents,
  type ExecutionStep,
  type LoggedExecution,
} from '../../../local/step-functions-logs';
import { UsageMeter } from '../../../local/usage-meter';
import type { ValidatedDefinitions } from '../../../local/validated-definitions';
import { WorkflowRunner } from '../../../local/workflow-runner';

const ARN = 'arn:aws:states:us-east-1:000000000000:execution:hilum-ingest:e1';
const INVOKE = 'arn:aws:states:::lambda:invoke';
const event = { detail: { bucket: { name: 'intake' }, object: { key: 'intake/s1/f1' } } };
const staged = { ...event, ingest: { outcome: 'staged' } };

/** The history of an ingest execution that staged its object: IngestObject, its unwrapping Pass, Outcome?, Staged. */
const stagedSteps: ExecutionStep[] = [
  { kind: 'execution-started', at: 1, input: event },
  { kind: 'entered', at: 2, state: 'IngestObject', stateType: 'Task', input: event },
  { kind: 'exited', at: 3, state: 'IngestObject', stateType: 'Task', output: { ...event, ingest: { Payload: { outcome: 'staged' } } } },
  {
    kind: 'entered',
    at: 4,
    state: 'IngestObjectResult',
    stateType: 'Pass',
    input: { ...event, ingest: { Payload: { outcome: 'staged' } } },
  },
  { kind: 'exited', at: 5, state: 'IngestObjectResult', stateType: 'Pass', output: staged },
  { kind: 'entered', at: 6, state: 'Outcome?', stateType: 'Choice', input: staged },
  { kind: 'exited', at: 7, state: 'Outcome?', stateType: 'Choice', output: staged },
  { kind: 'entered', at: 8, state: 'Staged', stateType: 'Succeed', input: staged },
  { kind: 'exited', at: 9, state: 'Staged', stateType: 'Succeed', output: staged },
  { kind: 'execution-succeeded', at: 10, output: staged },
];
const ingestCall = {
  resource: INVOKE,
  parameters: { FunctionName: 'hilum-IngestObject', Payload: { bucket: 'intake', key: 'intake/s1/f1' } },
  result: { ExecutedVersion: '$LATEST', Payload: { outcome: 'staged' }, StatusCode: 200 },
};
const execution = (steps: ExecutionStep[], calls: Record<string, unknown[]>): LoggedExecution => ({
  executionArn: ARN,
  roleArn: 'arn:aws:iam::000000000000:role/local',
  region: 'us-east-1',
  steps,
  taskCalls: new Map(Object.entries(calls)) as LoggedExecution['taskCalls'],
});

/** A file IngestObject refused (a transient error retried, then a file error caught), Quarantine failing into the Fail state. */
const refusedSteps: ExecutionStep[] = [
  { kind: 'execution-started', at: 1, input: event },
  { kind: 'entered', at: 2, state: 'IngestObject', stateType: 'Task', input: event },
  { kind: 'failed', at: 3, state: 'IngestObject', stateType: 'Task', error: 'TransientError', cause: '{"errorType":"TransientError"}' },
  { kind: 'retried', at: 4, state: 'IngestObject', stateType: 'Task' },
  { kind: 'failed', at: 5, state: 'IngestObject', stateType: 'Task', error: 'NotDicom', cause: '{"errorType":"NotDicom"}' },
  { kind: 'exited', at: 6, state: 'IngestObject', stateType: 'Task', output: { ...event, error: { Error: 'NotDicom' } } },
  { kind: 'entered', at: 7, state: 'QuarantineFailed', stateType: 'Fail', input: { ...event, error: { Error: 'NotDicom' } } },
  { kind: 'failed', at: 8, state: 'QuarantineFailed', stateType: 'Fail', error: 'QuarantineFailed', cause: 'still in intake' },
  { kind: 'execution-failed', at: 9, error: 'QuarantineFailed', cause: 'still in intake' },
];
const failedCall = { resource: INVOKE, parameters: ingestCall.parameters };

describe("a workflow execution's CloudWatch Logs events, rebuilt from its history", () => {
  it('logs every history event at ALL, a lambda:invoke task as scheduled, started and succeeded, with ids and escaped data', () => {
    const events = stepFunctionsLogEvents(execution(stagedSteps, { IngestObject: [ingestCall] }), {
      level: 'ALL',
      includeExecutionData: true,
    });
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[0]).toEqual({
      id: '1',
      type: 'ExecutionStarted',
      details: { input: JSON.stringify(event), inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::000000000000:role/local' },
      previous_event_id: '0',
      event_timestamp: '1',
      execution_arn: ARN,
    });
    expect(events[2]!.details).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'us-east-1',
      parameters: JSON.stringify(ingestCall.parameters),
    });
    // The Invoke call's result as AWS returns it: the function's payload and the HTTP metadata around it.
    const succeeded = JSON.parse(events[4]!.details.output as string) as Record<string, unknown>;
    expect(succeeded).toMatchObject({ Payload: { outcome: 'staged' }, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 } });
    expect(events[12]).toMatchObject({ id: '13', previous_event_id: '12', details: { output: JSON.stringify(staged) } });
    // Bytes are each event's JSON text: the state's data appears escaped, once per entered and exited state.
    expect(logEventBytes(events)).toBe(events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0));
    expect(logEventBytes(events)).toBeGreaterThan(10 * JSON.stringify(JSON.stringify(staged)).length);
  });

  it('logs nothing of an execution that succeeded at ERROR, and only its failures for one that did not', () => {
    const error = { level: 'ERROR', includeExecutionData: true } as const;
    expect(stepFunctionsLogEvents(execution(stagedSteps, { IngestObject: [ingestCall] }), error)).toEqual([]);
    const events = stepFunctionsLogEvents(execution(refusedSteps, { IngestObject: [failedCall, failedCall] }), error);
    expect(events.map((e) => [e.type, e.id])).toEqual([
      ['TaskFailed', '5'],
      ['TaskFailed', '8'],
      ['FailStateEntered', '10'],
      ['ExecutionFailed', '11'],
    ]);
    expect(events[1]!.details).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'NotDicom',
      cause: '{"errorType":"NotDicom"}',
    });
    expect(events[2]!.details).toEqual({
      name: 'QuarantineFailed',
      input: JSON.stringify({ ...event, error: { Error: 'NotDicom' } }),
      inputDetails: { truncated: false },
    });
    expect(events[3]!.details).toEqual({ error: 'QuarantineFailed', cause: 'still in intake' });
  });

  it('keeps names, errors and causes but no input, output or parameters without execution data; FATAL logs the execution failing', () => {
    const history = execution(refusedSteps, { IngestObject: [failedCall, failedCall] });
    const all = stepFunctionsLogEvents(history, { level: 'ALL', includeExecutionData: false });
    for (const e of all) for (const field of ['input', 'output', 'parameters']) expect(e.details).not.toHaveProperty(field);
    expect(all.find((e) => e.type === 'TaskStateEntered')!.details).toEqual({ name: 'IngestObject' });
    expect(stepFunctionsLogEvents(history, { level: 'FATAL', includeExecutionData: true }).map((e) => e.type)).toEqual(['ExecutionFailed']);
    expect(stepFunctionsLogEvents(history, { level: 'OFF', includeExecutionData: true })).toEqual([]);
  });

  it("takes a Map state's retry for its own, not a task's new attempt", () => {
    const steps: ExecutionStep[] = [
      { kind: 'entered', at: 1, state: 'Cases', stateType: 'Map', input: {} },
      { kind: 'failed', at: 2, state: 'Cases', stateType: 'Map', error: 'TransientError' },
      { kind: 'retried', at: 3, state: 'Cases', stateType: 'Map' },
      { kind: 'exited', at: 4, state: 'Cases', stateType: 'Map', output: [] },
    ];
    expect(stepFunctionsLogEvents(execution(steps, {}), { level: 'ALL', includeExecutionData: false }).map((e) => e.type)).toEqual([
      'MapStateEntered',
      'MapStateFailed',
      'MapStateSucceeded',
      'MapStateExited',
    ]);
  });

  it('truncates an input whose escaped text exceeds 248 KB, and says so', () => {
    const large = { text: 'x'.repeat(MAX_LOGGED_DATA_CHARS) };
    const [started] = stepFunctionsLogEvents(execution([{ kind: 'execution-started', at: 1, input: large }], {}), {
      level: 'ALL',
      includeExecutionData: true,
    });
    expect(started!.details.inputDetails).toEqual({ truncated: true });
    expect(JSON.stringify(started!.details.input).length).toBeLessThanOrEqual(MAX_LOGGED_DATA_CHARS);
  });

  it("is what the runner meters for each execution, at its workflow's level, with the task calls it made", async () => {
    const meter = new UsageMeter();
    // Remembered as validated: asl-validator's seconds are not this test's subject.
    const validated = { entry: () => ({ known: true, remember: () => undefined }) } as unknown as ValidatedDefinitions;
    const runner = new WorkflowRunner({ invokeLambda: async () => ({ outcome: 'staged' }), meter, validated });
    const definition = {
      StartAt: 'IngestObject',
      States: {
        IngestObject: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { FunctionName: 'hilum-IngestObject', 'Payload.$': '$.detail' },
          ResultSelector: { 'Payload.$': '$.Payload' },
          ResultPath: '$.ingest',
          Next: 'Staged',
        },
        Staged: { Type: 'Succeed' },
      },
    };
    const arn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;
    runner.register({ id: 'all', arn: arn('all'), name: 'all', definition, logging: { level: 'ALL', includeExecutionData: true } });
    runner.register({ id: 'error', arn: arn('error'), name: 'error', definition, logging: { level: 'ERROR', includeExecutionData: true } });
    const input = { detail: { note: 'n'.repeat(5000) } };
    await runner.run('all', input);
    await runner.run('all', input);
    await runner.run('error', input);
    const { logs } = meter.snapshot();
    // ExecutionStarted, TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited, Succeed entered and exited, ExecutionSucceeded.
    expect(logs['Step Functions all']!.events).toBe(2 * 9);
    // The note is in the data of six events, and in the scheduled task's parameters, which only the task call gives.
    expect(logs['Step Functions all']!.bytes).toBeGreaterThan(2 * 7 * 5000);
    expect(logs['Step Functions all']!.bytes).toBeLessThan(2 * 8 * 5000);
    expect(logs['Step Functions error']).toEqual({ bytes: 0, events: 0 });
  });
});
