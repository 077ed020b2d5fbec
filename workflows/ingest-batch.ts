import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { z } from 'zod';
import type { FunctionKey } from '../functions/registry';
import { ingestBatchInput, type IngestBatchInput, type IngestBatchResult, ingestExecutionState } from '../layers/pipeline/ingest-states';
import { type IngestEnds, type IngestFunctions, RESOURCE_LIMIT_RETRY, ingestDefinition, invokeStep, type InvokeStep } from './ingest';
import { payloadOf, statePaths } from './payload';

export type IngestBatchFunctions = IngestFunctions & Readonly<Record<Extract<FunctionKey, 'ingestBatch'>, lambda.IFunction>>;

/** Where IngestBatch's answer lands in the execution state (`$.batch`). */
export type IngestBatchResultKey = 'batch';

/** The batch execution's state: the pipe's records (wrapped by `Records`), then IngestBatch's answer. */
interface IngestBatchState {
  readonly records: IngestBatchInput['records'];
  readonly batch?: IngestBatchResult;
}
const at = statePaths<IngestBatchState>();
const item = statePaths<z.infer<typeof ingestExecutionState>>();

/**
 * Inside a Map every object's path ends in a Pass whose output is the end's name (never a Fail, which
 * would stop the other objects' iterations): the Map's result is the list of ends, and LeftInIntake?
 * fails the execution after every object has finished when one of them was left in intake.
 */
const MAP_ENDS: IngestEnds = {
  handled: (scope, name, comment) => new sfn.Pass(scope, name, { comment, result: sfn.Result.fromString(name) }),
  leftInIntake: (scope, name, cause) => new sfn.Pass(scope, name, { comment: cause, result: sfn.Result.fromString(name) }),
};

/** The ends that leave an object in the intake bucket, each also the error the execution then fails with. */
const LEFT_IN_INTAKE = {
  PipelineFault:
    'A platform error, not the file: one or more objects of the batch are still in the intake bucket; the reconciler re-drives them',
  QuarantineFailed: 'One or more objects of the batch could not be moved to quarantine; they are still in the intake bucket',
} as const;

/** A Map's result, `$.ends`: whether any object ended in each left-in-intake end (intrinsics over the list of ends). */
const endsSelector = Object.fromEntries(
  Object.keys(LEFT_IN_INTAKE).map((end) => [end, sfn.JsonPath.arrayContains(sfn.JsonPath.entirePayload, end)]),
);

/**
 * The ingest workflow per queue batch (Express), started by the EventBridge Pipe that reads the ingest
 * queue, with the pipe's array of SQS records (at most INGEST_BATCH_MAX_OBJECTS, each body an S3
 * "Object Created" event):
 *
 *   Records (the array wrapped as $.records) -> IngestBatch (one invocation for every object)
 *     -> Objects (Map over $.batch.items, one per record, routed as the per-object workflow routes):
 *        `error` (a file error) -> Quarantine; outcome `quarantine` -> QuarantineForQa;
 *        `already-handled` -> SkipAlreadyHandled; otherwise Staged;
 *        a quarantine task that fails after its retries -> QuarantineFailed (the object stays in intake)
 *   IngestBatch: TRANSIENT_RETRY and RESOURCE_LIMIT_RETRY; after them, or on any other error of the
 *     invocation (a platform error, an object that exhausts its memory), Catch -> PerObject: a Map over
 *     the records that runs each record's event through the per-object states (ingestDefinition:
 *     IngestObject with its own Retry, Catch and Quarantine), so the object that broke the batch is
 *     quarantined alone (ResourceLimit) and the others are ingested on their own
 *   -> LeftInIntake?: after every object has finished, the execution fails as PipelineFault or
 *     QuarantineFailed when an object was left in intake (alarmed; the reconciler re-drives it), else Done.
 *
 * Every object ends in exactly one end state per delivery; a repeated delivery (SQS and S3 deliver at least
 * once) finds it already handled. State names are unique across the Maps: the fallback's carry `PerObject`.
 */
export function ingestBatchDefinition(scope: Construct, fns: IngestBatchFunctions): sfn.IChainable {
  const records = new sfn.Pass(scope, 'Records', {
    comment: "The pipe's array of SQS records, as an object a task's result can be added to",
    parameters: { records: sfn.JsonPath.entirePayload },
  });

  const ingestBatch = invokeStep(scope, 'IngestBatch', fns.ingestBatch, payloadOf(ingestBatchInput, { records: at('records') }), 'batch');
  ingestBatch.task.addRetry(RESOURCE_LIMIT_RETRY);

  const leftInIntake = new sfn.Choice(scope, 'LeftInIntake?');
  for (const [end, cause] of Object.entries(LEFT_IN_INTAKE)) {
    leftInIntake.when(sfn.Condition.booleanEquals(`$.ends.${end}`, true), new sfn.Fail(scope, `Batch${end}`, { error: end, cause }));
  }
  leftInIntake.otherwise(new sfn.Succeed(scope, 'Done', { comment: 'Every object of the batch is staged or quarantined' }));

  const objects = new sfn.Map(scope, 'Objects', {
    comment: "Routes each object by IngestBatch's answer for it, as the per-object workflow routes IngestObject's",
    itemsPath: at('batch', 'items').path,
    resultSelector: endsSelector,
    resultPath: '$.ends',
  });
  objects.itemProcessor(batchItemRouting(new Construct(scope, 'Item'), fns));
  objects.next(leftInIntake);
  ingestBatch.result.next(objects);

  const fallbackScope = new Construct(scope, 'PerObject');
  const event = new sfn.Pass(fallbackScope, 'Event', {
    comment: "The record's body, the S3 event, as the per-object workflow's input",
    parameters: { event: sfn.JsonPath.stringToJson(sfn.JsonPath.stringAt('$.body')) },
    outputPath: '$.event',
  });
  event.next(ingestDefinition(fallbackScope, fns, MAP_ENDS));
  sfn.State.prefixStates(fallbackScope, 'PerObject');
  const perObject = new sfn.Map(scope, 'PerObjectFallback', {
    comment: 'The batch could not finish as a batch: each object takes the per-object path on its own',
    itemsPath: at('records').path,
    itemSelector: { body: sfn.JsonPath.stringAt('$$.Map.Item.Value.body') },
    resultSelector: endsSelector,
    resultPath: '$.ends',
  });
  perObject.itemProcessor(event);
  perObject.next(leftInIntake);
  ingestBatch.task.addCatch(perObject, { errors: ['States.ALL'], resultPath: '$.batchError' });

  return records.next(ingestBatch.task);
}

/** One item of IngestBatch's answer (an execution state as Quarantine takes it) to its end. */
function batchItemRouting(scope: Construct, fns: IngestFunctions): sfn.IChainable {
  const quarantined = MAP_ENDS.handled(scope, 'Quarantined', 'The object and its reason are in the quarantine bucket');
  const quarantineFailed = MAP_ENDS.leftInIntake(scope, 'QuarantineFailed', LEFT_IN_INTAKE.QuarantineFailed);
  const quarantineStep = (name: string): InvokeStep => {
    // Quarantine's input is the whole item (quarantineInput = ingestExecutionState).
    const step = invokeStep(scope, name, fns.quarantine, sfn.TaskInput.fromJsonPathAt('$'), 'quarantine');
    step.task.addCatch(quarantineFailed, { errors: ['States.ALL'], resultPath: '$.quarantineError' });
    step.result.next(quarantined);
    return step;
  };
  return new sfn.Choice(scope, 'Outcome?')
    .when(sfn.Condition.isPresent(item('error').path), quarantineStep('Quarantine').task)
    .when(sfn.Condition.stringEquals(item('ingest', 'outcome').path, 'quarantine'), quarantineStep('QuarantineForQa').task)
    .when(
      sfn.Condition.stringEquals(item('ingest', 'outcome').path, 'already-handled'),
      MAP_ENDS.handled(scope, 'SkipAlreadyHandled', 'An earlier delivery of this event already staged or quarantined the file'),
    )
    .otherwise(MAP_ENDS.handled(scope, 'Staged', 'The verified copy is in the released bucket'));
}
