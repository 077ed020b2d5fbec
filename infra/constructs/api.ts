import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FunctionKey, ROUTES, Route } from '../../functions/registry';
import { Observability } from './observability';

/** Response types API Gateway must pass as binary (see docs/access.md, DICOMweb). */
export const BINARY_MEDIA_TYPES = ['multipart/related', 'application/dicom', 'application/zip'];

export interface ApiProps {
  readonly userPool: cognito.IUserPool;
  /** The function of each registry key a route names. */
  readonly functions: Readonly<Partial<Record<FunctionKey, lambda.IFunction>>>;
  readonly observability: Observability;
  readonly routes?: readonly Route[];
}

/**
 * The REST API, built from `ROUTES`: one method per route, a Lambda proxy
 * integration to the route's function, the Cognito user pools authorizer on
 * every method (the handler then decides by role, the same way as locally),
 * a request validator, access logs, execution logs and X-Ray tracing.
 *
 * No CORS preflight: the clients are the CLI and server-side tools, and an
 * OPTIONS method would be the one method without an authorizer.
 */
export class Api extends Construct {
  readonly restApi: apigw.RestApi;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const accessLogs = props.observability.logGroup(this, 'AccessLogs');
    this.restApi = new apigw.RestApi(this, 'RestApi', {
      description: 'hilum REST API',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: true,
      // WADO-RS answers multipart/related (application/dicom parts): handlers return them
      // base64-encoded and API Gateway sends the bytes when the request's Accept matches.
      binaryMediaTypes: BINARY_MEDIA_TYPES,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        // Request/response bodies carry presigned URLs and tokens: never logged.
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        throttlingBurstLimit: 200,
        throttlingRateLimit: 100,
      },
    });
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [props.userPool] });
    const validator = this.restApi.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    for (const route of props.routes ?? ROUTES) {
      const fn = props.functions[route.fn];
      if (!fn) throw new Error(`hilum: route ${route.method} ${route.path} names function ${route.fn}, which was not built`);
      const resource = this.restApi.root.resourceForPath(route.path);
      resource.addMethod(route.method, new apigw.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }), {
        authorizer,
        authorizationType: apigw.AuthorizationType.COGNITO,
        requestValidator: validator,
        operationName: route.fn,
      });
    }

    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level role API Gateway uses to write execution and access logs; AWS maintains this policy for exactly that purpose.',
      });
    }
    const stage = this.restApi.deploymentStage;
    Validations.of(stage).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF is optional per deployment (cost, and most traffic is authenticated CLI calls); every method requires a Cognito token and the stage is throttled. Attach a web ACL where the deployment is internet-facing at scale.',
      },
      {
        id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
        reason:
          "Caching is off on purpose: responses are per user (authorization by role) and carry short-lived presigned URLs, so a cache could serve one user's response to another.",
      },
      {
        id: 'HIPAA.Security-APIGWSSLEnabled',
        reason:
          'The integrations are Lambda proxies invoked over the AWS API, not HTTP backends, so a client certificate for backend authentication has nothing to authenticate.',
      },
    );
  }
}
