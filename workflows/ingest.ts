import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { FunctionKey } from '../functions/registry';
import { ingestExecutionState, ingestObjectInput, type IngestResultKey } from '../layers/pipeline/ingest-states';
import type { SubmissionResultKey } from '../layers/pipeline/submission-states';
import { PLATFORM_ERRORS, RESOURCE_LIMIT_ERRORS, TRANSIENT_ERRORS } from '../layers/pipeline/task-errors';
import type { FhirExportResultKey } from '../layers/pipeline/fhir-export-states';
import type { IngestBatchResultKey } from './ingest-batch';
import { payloadOf, statePaths } from './payload';

export type IngestFunctionKey = Extract<FunctionKey, 'ingestObject' | 'quarantine'>;
export type IngestFunctions = Readonly<Record<IngestFunctionKey, lambda.IFunction>>;

/** Retry policy of every task: transient Lambda/service errors only, 2 s, x2, 3 attempts. */
export const TRANSIENT_RETRY: sfn.RetryProps = {
  errors: [...TRANSIENT_ERRORS],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 3,
};

/**
 * A Lambda task whose result (the function's returned object) lands at
 * `$.<resultKey>`, as `layers/pipeline/` names it.
 *
 * A LambdaInvoke with `payloadResponseOnly: false` (the `lambda:invoke`
 * integration, which keeps `FunctionName` in Parameters for the local runner)
 * returns `{ Payload, StatusCode, ... }`, and a ResultSelector always builds an
 * object, so it cannot unwrap `Payload` by itself. The task therefore keeps only
 * `{ Payload }` at `$.<resultKey>` and a Pass state `<Name>Result` moves
 * `$.<resultKey>.Payload` up to `$.<resultKey>`.
 */
export interface InvokeStep {
  /** The Task state: attach Retry and Catch here. */
  readonly task: tasks.LambdaInvoke;
  /** The unwrapping Pass state: continue the chain from here. */
  readonly result: sfn.Pass;
}

export function invokeStep(
  scope: Construct,
  name: string,
  fn: lambda.IFunction,
  payload: sfn.TaskInput,
  resultKey: IngestResultKey | IngestBatchResultKey | SubmissionResultKey | FhirExportResultKey,
): InvokeStep {
  const task = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payload,
    payloadResponseOnly: false,
    // Our own Retry (TRANSIENT_RETRY) replaces the integration's default one.
    retryOnServiceExceptions: false,
    resultSelector: { 'Payload.$': '$.Payload' },
    resultPath: `$.${resultKey}`,
  });
  task.addRetry(TRANSIENT_RETRY);
  const result = new sfn.Pass(scope, `${name}Result`, {
    comment: `Unwraps the ${name} function's result to $.${resultKey}`,
    inputPath: `$.${resultKey}.Payload`,
    resultPath: `$.${resultKey}`,
  });
  task.next(result);
  return { task, result };
}

/**
 * A task that ran out of memory or time is tried once more (a container already short of
 * memory, a slow start), not more: the same file in the same function fails the same way.
 * The submission workflow's (idempotent) tasks use it too.
 */
export const RESOURCE_LIMIT_RETRY: sfn.RetryProps = {
  errors: [...RESOURCE_LIMIT_ERRORS],
  interval: Duration.seconds(5),
  maxAttempts: 1,
};

/**
 * How an object's path through the ingest states ends. In an execution of its own (`ingest`,
 * `ingest-large`) a handled object ends in Succeed and one left in intake in Fail, which fails the
 * execution (alarmed, redriven). Inside a Map (the `ingest-batch` workflow) a Fail would fail the Map
 * and stop the other objects' iterations mid-way, so there every end is a Pass whose output is the
 * end's name, and the workflow fails after the Map when any object was left in intake (workflows/ingest-batch.ts).
 */
export interface IngestEnds {
  /** The object is staged, quarantined or was already handled. */
  handled(scope: Construct, name: string, comment: string): sfn.IChainable;
  /** The object is still in the intake bucket (`name` is the error: PipelineFault, QuarantineFailed). */
  leftInIntake(scope: Construct, name: string, cause: string): sfn.IChainable;
}

/** The ends of an execution per object: Succeed, or Fail with the end's name as its error. */
export const EXECUTION_ENDS: IngestEnds = {
  handled: (scope, name, comment) => new sfn.Succeed(scope, name, { comment }),
  leftInIntake: (scope, name, cause) => new sfn.Fail(scope, name, { error: name, cause }),
};

/** Paths into the ingest execution state (layers/pipeline/ingest-states.ts). */
const at = statePaths<z.infer<typeof ingestExecutionState>>();

/**
 * The ingest workflow, one execution per S3 "Object Created" event on `intake/`:
 *
 *   IngestObject -> Outcome? ('staged') -> Staged
 *   Outcome? ('already-handled') -> SkipAlreadyHandled
 *   Outcome? ('quarantine') -> QuarantineForQa -> Quarantined
 *   a platform error (PLATFORM_ERRORS: broken deployment, retries exhausted) -> PipelineFault
 *   out of memory or time (RESOURCE_LIMIT_ERRORS), after one more try -> Quarantine (code ResourceLimit)
 *   any other task error (Catch States.ALL, error at $.error) -> Quarantine -> Quarantined
 *   a quarantine task that fails after its retries -> QuarantineFailed
 *
 * IngestObject (functions/ingest/ingest-object.ts) reads the object once and parses, de-identifies,
 * verifies, decides QA and stages it in memory: one invocation and one read of the object instead of
 * five tasks passing a work copy through S3 (docs/ingest-scale.md).
 */
export function ingestDefinition(scope: Construct, fns: IngestFunctions, ends: IngestEnds = EXECUTION_ENDS): sfn.IChainable {
  const quarantined = ends.handled(scope, 'Quarantined', 'The object and its reason are in the quarantine bucket');
  const quarantineFailed = ends.leftInIntake(
    scope,
    'QuarantineFailed',
    'The object could not be moved to quarantine; it is still in the intake bucket',
  );
  const quarantineStep = (name: string): InvokeStep => {
    // Quarantine's input is the whole execution state (quarantineInput = ingestExecutionState).
    const step = invokeStep(scope, name, fns.quarantine, sfn.TaskInput.fromJsonPathAt('$'), 'quarantine');
    step.task.addCatch(quarantineFailed, { errors: ['States.ALL'], resultPath: '$.quarantineError' });
    step.result.next(quarantined);
    return step;
  };
  const quarantine = quarantineStep('Quarantine');
  const quarantineForQa = quarantineStep('QuarantineForQa');

  const ingestObject = invokeStep(
    scope,
    'IngestObject',
    fns.ingestObject,
    payloadOf(ingestObjectInput, {
      bucket: at('detail', 'bucket', 'name'),
      key: at('detail', 'object', 'key'),
    }),
    'ingest',
  );

  // A broken deployment or an exhausted retry is not the file's fault: fail the
  // execution (alarmed; redrive it once fixed) and leave the object in intake,
  // rather than quarantining every file that arrives while the platform is down.
  const pipelineFault = ends.leftInIntake(
    scope,
    'PipelineFault',
    'A platform error, not the file: the object is still in the intake bucket; fix and redrive the execution',
  );
  ingestObject.task.addRetry(RESOURCE_LIMIT_RETRY);
  ingestObject.task.addCatch(pipelineFault, { errors: [...PLATFORM_ERRORS], resultPath: '$.error' });
  // Named before States.ALL so that the routing is explicit: the file's fault, not the platform's.
  ingestObject.task.addCatch(quarantine.task, { errors: [...RESOURCE_LIMIT_ERRORS], resultPath: '$.error' });
  ingestObject.task.addCatch(quarantine.task, { errors: ['States.ALL'], resultPath: '$.error' });

  const outcome = new sfn.Choice(scope, 'Outcome?')
    .when(sfn.Condition.stringEquals('$.ingest.outcome', 'quarantine'), quarantineForQa.task)
    .when(
      sfn.Condition.stringEquals('$.ingest.outcome', 'already-handled'),
      ends.handled(scope, 'SkipAlreadyHandled', 'An earlier delivery of this event already staged or quarantined the file'),
    )
    .otherwise(ends.handled(scope, 'Staged', 'The verified copy is in the released bucket'));
  ingestObject.result.next(outcome);

  return ingestObject.task;
}
