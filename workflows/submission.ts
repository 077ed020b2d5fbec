import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FunctionKey } from '../functions/registry';
import { submissionExecutionInput, submissionInput } from '../layers/pipeline/submission-states';
import { invokeStep, RESOURCE_LIMIT_RETRY } from './ingest';
import { payloadOf, statePaths } from './payload';
import type { z } from 'zod';

export type SubmissionFunctionKey = Extract<
  FunctionKey,
  'studyQa' | 'indexSubmission' | 'publishSubmission' | 'qaReport' | 'rebuildSnapshot'
>;
export type SubmissionFunctions = Readonly<Record<SubmissionFunctionKey, lambda.IFunction>>;

/**
 * The submission workflow, one execution per "Submission Ready" event on the
 * hilum bus (the execution input is the EventBridge event):
 *
 *   StudyQa -> IndexSubmission -> PublishSubmission -> QaReport -> RebuildSnapshot -> Published
 *   (StudyQa runs the series/study/submission rules and sends failing staged files
 *   back to quarantine before anything is indexed; QaReport stores the report)
 *   any task error (after transient retries, and one more try after a timeout) -> SubmissionFailed;
 *   the reconciler announces the submission again after its stale period (sealed, or published
 *   with completionPendingSince: RebuildSnapshot, the last step, clears it)
 */
export function submissionDefinition(scope: Construct, fns: SubmissionFunctions): sfn.IChainable {
  const failed = new sfn.Fail(scope, 'SubmissionFailed', {
    error: 'SubmissionFailed',
    cause: 'Indexing or publishing the submission failed; it can be re-run by re-sending Submission Ready',
  });
  const at = statePaths<z.infer<typeof submissionExecutionInput>>();
  const input = payloadOf(submissionInput, { submissionId: at('detail', 'submissionId') });
  const studyQa = invokeStep(scope, 'StudyQa', fns.studyQa, input, 'studyQa');
  const index = invokeStep(scope, 'IndexSubmission', fns.indexSubmission, input, 'index');
  const publish = invokeStep(scope, 'PublishSubmission', fns.publishSubmission, input, 'publish');
  const report = invokeStep(scope, 'QaReport', fns.qaReport, input, 'report');
  // The published studies become searchable: a new version of the live search snapshot.
  const snapshot = invokeStep(scope, 'RebuildSnapshot', fns.rebuildSnapshot, input, 'snapshot');
  for (const step of [studyQa, index, publish, report, snapshot]) {
    // Every step is idempotent: one that timed out (its work may even have finished) runs once more here
    // rather than failing the execution and waiting for the reconciler's stale period.
    step.task.addRetry(RESOURCE_LIMIT_RETRY);
    step.task.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
  }
  studyQa.result.next(index.task);
  index.result.next(publish.task);
  publish.result.next(report.task);
  report.result.next(snapshot.task);
  snapshot.result.next(new sfn.Succeed(scope, 'Published'));
  return studyQa.task;
}
