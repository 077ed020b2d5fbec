import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { logger } from './powertools';

/** What a custom resource's work reports back: its physical id and, optionally, attributes for Fn::GetAtt. */
export interface CustomResourceOutcome {
  readonly physicalResourceId: string;
  readonly data?: Readonly<Record<string, string>>;
}

export type CustomResourceWork = (event: CloudFormationCustomResourceEvent) => Promise<CustomResourceOutcome>;

/**
 * A Lambda-backed CloudFormation custom resource without CDK's Provider framework (which adds its
 * own functions): the handler answers CloudFormation itself, by a PUT of the JSON response to the
 * presigned ResponseURL of the event. It always answers: a stack left without an answer waits an
 * hour and then fails its rollback too. A failure's reason names the error's class only (the S3
 * or CloudFront message may name keys and buckets): the function's log has the rest.
 */
export function customResourceHandler(work: CustomResourceWork, answer: typeof fetch = fetch) {
  return async (event: CloudFormationCustomResourceEvent): Promise<void> => {
    let response: CloudFormationCustomResourceResponse;
    try {
      const outcome = await work(event);
      response = responseTo(event, 'SUCCESS', outcome.physicalResourceId, outcome.data);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      logger.error('custom resource failed', { requestType: event.RequestType, errorName: name });
      const physicalId = event.RequestType === 'Create' ? `failed-${event.RequestId}` : event.PhysicalResourceId;
      response = responseTo(event, 'FAILED', physicalId, undefined, `${event.RequestType} failed (${name}); see the function's log`);
    }
    await send(event.ResponseURL, response, answer);
  };
}

function responseTo(
  event: CloudFormationCustomResourceEvent,
  status: 'SUCCESS' | 'FAILED',
  physicalResourceId: string,
  data?: Readonly<Record<string, string>>,
  reason?: string,
): CloudFormationCustomResourceResponse {
  const common = {
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(data ? { Data: { ...data } } : {}),
  };
  return status === 'SUCCESS' ? { Status: 'SUCCESS', ...common } : { Status: 'FAILED', Reason: reason ?? 'failed', ...common };
}

async function send(url: string, response: CloudFormationCustomResourceResponse, answer: typeof fetch): Promise<void> {
  const body = JSON.stringify(response);
  // The presigned URL is signed without a content type: S3 refuses the PUT if one is sent.
  const result = await answer(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!result.ok) {
    logger.error('CloudFormation refused the custom resource response', { status: result.status });
    throw new Error(`the custom resource response was refused (${result.status})`);
  }
}
