import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FunctionKey } from '../functions/registry';
import { invokeStep } from './ingest';

export type SubmissionFunctionKey = Extract<FunctionKey, 'indexSubmission' | 'publishSubmission'>;
export type SubmissionFunctions = Readonly<Record<SubmissionFunctionKey, lambda.IFunction>>;

/**
 * The submission workflow, one execution per "Submission Ready" event on the
 * hilum bus (the execution input is the EventBridge event):
 *
 *   IndexSubmission -> PublishSubmission -> Published
 *   any task error (after transient retries) -> SubmissionFailed
 */
export function submissionDefinition(scope: Construct, fns: SubmissionFunctions): sfn.IChainable {
  const failed = new sfn.Fail(scope, 'SubmissionFailed', {
    error: 'SubmissionFailed',
    cause: 'Indexing or publishing the submission failed; it can be re-run by re-sending Submission Ready',
  });
  const input = sfn.TaskInput.fromObject({ submissionId: sfn.JsonPath.stringAt('$.detail.submissionId') });
  const index = invokeStep(scope, 'IndexSubmission', fns.indexSubmission, input, 'index');
  const publish = invokeStep(scope, 'PublishSubmission', fns.publishSubmission, input, 'publish');
  for (const step of [index, publish]) step.task.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
  index.result.next(publish.task);
  publish.result.next(new sfn.Succeed(scope, 'Published'));
  return index.task;
}
