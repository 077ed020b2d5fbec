import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { FunctionKey } from '../functions/registry';
import { fhirExportExecutionState, fhirExportFailedInput, fhirExportInput } from '../layers/pipeline/fhir-export-states';
import { invokeStep, RESOURCE_LIMIT_RETRY, TRANSIENT_RETRY } from './ingest';
import { payloadOf, statePaths } from './payload';

export type FhirExportFunctionKey = Extract<FunctionKey, 'fhirExport'>;
export type FhirExportFunctions = Readonly<Record<FhirExportFunctionKey, lambda.IFunction>>;

/**
 * The FHIR export workflow, one execution per "FHIR Export Requested" event on the hilum bus
 * (the execution input is the EventBridge event):
 *
 *   FhirExport -> Exported
 *   a task error (after transient retries, and one more try after a timeout) -> RecordExportFailure
 *   (the same function, told the error's name: marks the job failed with a value-free reason and
 *   removes any file written, so its status URL answers the IG's error at once) -> ExportFailed.
 *   Should that fail too, or the execution itself end (its timeout), the job's status reports it
 *   failed once the job's own timeout has passed.
 */
export function fhirExportDefinition(scope: Construct, fns: FhirExportFunctions): sfn.IChainable {
  const failed = new sfn.Fail(scope, 'ExportFailed', {
    error: 'ExportFailed',
    cause: "The export job's files could not be built; the job is recorded as failed",
  });
  const at = statePaths<z.infer<typeof fhirExportExecutionState>>();
  const step = invokeStep(scope, 'FhirExport', fns.fhirExport, payloadOf(fhirExportInput, { jobId: at('detail', 'jobId') }), 'export');
  step.task.addRetry(RESOURCE_LIMIT_RETRY);
  const recordFailure = new tasks.LambdaInvoke(scope, 'RecordExportFailure', {
    lambdaFunction: fns.fhirExport,
    payload: payloadOf(fhirExportFailedInput, { jobId: at('detail', 'jobId'), errorName: at('error', 'Error') }),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    resultPath: sfn.JsonPath.DISCARD,
  });
  recordFailure.addRetry(TRANSIENT_RETRY);
  recordFailure.addCatch(failed, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
  recordFailure.next(failed);
  step.task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
  step.result.next(new sfn.Succeed(scope, 'Exported'));
  return step.task;
}
