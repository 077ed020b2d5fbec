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
  resultKey: IngestResultKey | SubmissionResultKey | FhirExportResultKey,
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
export function ingestDefinition(scope: Construct, fns: IngestFunctions): sfn.IChainable {
  const quarantined = new sfn.Succeed(scope, 'Quarantined', { comment: 'The object and its reason are in the quarantine bucket' });
  const quarantineFailed = new sfn.Fail(scope, 'QuarantineFailed', {
    error: 'QuarantineFailed',
    cause: 'The object could not be moved to quarantine; it is still in the intake bucket',
  });
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
  const pipelineFault = new sfn.Fail(scope, 'PipelineFault', {
    error: 'PipelineFault',
    cause: 'A platform error, not the file: the object is still in the intake bucket; fix and redrive the execution',
  });
  ingestObject.task.addRetry(RESOURCE_LIMIT_RETRY);
  ingestObject.task.addCatch(pipelineFault, { errors: [...PLATFORM_ERRORS], resultPath: '$.error' });
  // Named before States.ALL so that the routing is explicit: the file's fault, not the platform's.
  ingestObject.task.addCatch(quarantine.task, { errors: [...RESOURCE_LIMIT_ERRORS], resultPath: '$.error' });
  ingestObject.task.addCatch(quarantine.task, { errors: ['States.ALL'], resultPath: '$.error' });

  const outcome = new sfn.Choice(scope, 'Outcome?')
    .when(sfn.Condition.stringEquals('$.ingest.outcome', 'quarantine'), quarantineForQa.task)
    .when(
      sfn.Condition.stringEquals('$.ingest.outcome', 'already-handled'),
      new sfn.Succeed(scope, 'SkipAlreadyHandled', { comment: 'An earlier delivery of this event already staged or quarantined the file' }),
    )
    .otherwise(new sfn.Succeed(scope, 'Staged', { comment: 'The verified copy is in the released bucket' }));
  ingestObject.result.next(outcome);

  return ingestObject.task;
}
