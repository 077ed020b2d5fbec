import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { FunctionKey } from '../functions/registry';
import { fhirExportExecutionInput, fhirExportInput } from '../layers/pipeline/fhir-export-states';
import { invokeStep, RESOURCE_LIMIT_RETRY } from './ingest';
import { payloadOf, statePaths } from './payload';

export type FhirExportFunctionKey = Extract<FunctionKey, 'fhirExport'>;
export type FhirExportFunctions = Readonly<Record<FhirExportFunctionKey, lambda.IFunction>>;

/**
 * The FHIR export workflow, one execution per "FHIR Export Requested" event on the hilum bus
 * (the execution input is the EventBridge event):
 *
 *   FhirExport -> Exported
 *   a task error (after transient retries, and one more try after a timeout) -> ExportFailed;
 *   the job then stays in progress until its timeout, after which its status URL reports it failed
 */
export function fhirExportDefinition(scope: Construct, fns: FhirExportFunctions): sfn.IChainable {
  const failed = new sfn.Fail(scope, 'ExportFailed', {
    error: 'ExportFailed',
    cause: "The export job's files could not be built; its status URL reports it failed after the job's timeout",
  });
  const at = statePaths<z.infer<typeof fhirExportExecutionInput>>();
  const step = invokeStep(scope, 'FhirExport', fns.fhirExport, payloadOf(fhirExportInput, { jobId: at('detail', 'jobId') }), 'export');
  step.task.addRetry(RESOURCE_LIMIT_RETRY);
  step.task.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
  step.result.next(new sfn.Succeed(scope, 'Exported'));
  return step.task;
}
