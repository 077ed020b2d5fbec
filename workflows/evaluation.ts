import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { FunctionKey } from '../functions/registry';
import { evaluationInput, scoreCaseInput, type EvaluationExecutionState, type ScoreCaseInput } from '../layers/pipeline/evaluation-states';
import { RESOURCE_LIMIT_RETRY, TRANSIENT_RETRY } from './ingest';
import { payloadOf, statePaths } from './payload';

export type EvaluationFunctionKey = Extract<FunctionKey, 'evaluationCases' | 'scoreCase' | 'aggregateEvaluation'>;
export type EvaluationFunctions = Readonly<Record<EvaluationFunctionKey, lambda.IFunction>>;

/** How many cases are scored at once: each ScoreCase holds one image and the model in memory. */
export const SCORE_CONCURRENCY = 8;

/**
 * The evaluation workflow, one execution per "Evaluation Requested" event on the hilum bus
 * (docs/evaluation.md):
 *
 *   EvaluationCases -> ScoreCases (Map over the cases: ScoreCase, each score written to the
 *   private evaluations/ prefix) -> AggregateEvaluation -> Evaluated
 *   any task error after retries -> AggregateFailed (records the failure, audits it) -> EvaluationFailed
 *
 * The state carries the evaluation id, case indexes and released object keys; never a label or a score.
 */
export function evaluationDefinition(scope: Construct, fns: EvaluationFunctions): sfn.IChainable {
  const at = statePaths<EvaluationExecutionState>();
  const evaluationId = at('detail', 'evaluationId');
  const casesTask = new tasks.LambdaInvoke(scope, 'EvaluationCases', {
    lambdaFunction: fns.evaluationCases,
    payload: payloadOf(evaluationInput, { evaluationId }),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    resultSelector: { 'Payload.$': '$.Payload' },
    resultPath: '$.cases',
  });
  const casesResult = new sfn.Pass(scope, 'EvaluationCasesResult', {
    comment: "Unwraps the EvaluationCases function's result to $.cases",
    inputPath: '$.cases.Payload',
    resultPath: '$.cases',
  });
  const item = statePaths<ScoreCaseInput>();
  const scoreTask = new tasks.LambdaInvoke(scope, 'ScoreCase', {
    lambdaFunction: fns.scoreCase,
    payload: payloadOf(scoreCaseInput, {
      evaluationId: item('evaluationId'),
      caseIndex: item('caseIndex'),
      objectKey: item('objectKey'),
    }),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    resultSelector: { 'Payload.$': '$.Payload' },
    resultPath: sfn.JsonPath.DISCARD,
  });
  const scoreCases = new sfn.Map(scope, 'ScoreCases', {
    comment: 'Runs the model on each case; scores stay in the private location, nothing comes back',
    itemsPath: '$.cases.items',
    maxConcurrency: SCORE_CONCURRENCY,
    resultPath: sfn.JsonPath.DISCARD,
  });
  scoreCases.itemProcessor(scoreTask);
  // A literal `failed` flag beside the id: payloadOf takes paths only, so these two payloads are written out.
  const aggregate = (name: string, failed: boolean) =>
    new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: fns.aggregateEvaluation,
      payload: sfn.TaskInput.fromObject({ evaluationId: sfn.JsonPath.stringAt(evaluationId.path), failed }),
      payloadResponseOnly: false,
      retryOnServiceExceptions: false,
      resultSelector: { 'Payload.$': '$.Payload' },
      resultPath: '$.aggregate',
    });
  const aggregateTask = aggregate('AggregateEvaluation', false);
  const aggregateFailed = aggregate('AggregateFailed', true);
  const failedState = new sfn.Fail(scope, 'EvaluationFailed', {
    error: 'EvaluationFailed',
    cause: 'The model could not be run on every case; the evaluation is recorded as failed',
  });
  for (const task of [casesTask, scoreTask, aggregateTask, aggregateFailed]) {
    task.addRetry(TRANSIENT_RETRY);
    task.addRetry(RESOURCE_LIMIT_RETRY);
  }
  casesTask.addCatch(aggregateFailed, { errors: ['States.ALL'], resultPath: '$.error' });
  scoreCases.addCatch(aggregateFailed, { errors: ['States.ALL'], resultPath: '$.error' });
  aggregateTask.addCatch(failedState, { errors: ['States.ALL'], resultPath: '$.error' });
  aggregateFailed.next(failedState);
  casesTask.next(casesResult);
  casesResult.next(scoreCases);
  scoreCases.next(aggregateTask);
  aggregateTask.next(new sfn.Succeed(scope, 'Evaluated'));
  return casesTask;
}
