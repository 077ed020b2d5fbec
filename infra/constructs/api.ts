import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FunctionKey, PUBLIC_ROUTES, ROUTES, Route, type PublicRoute } from '../../functions/registry';
import { CORS_ALLOW_HEADERS, CORS_MAX_AGE_SECONDS } from '../../layers/common/cors';
import { Observability } from './observability';

/**
 * Every media type is binary to API Gateway. A Lambda proxy answer is then sent as bytes when
 * its handler marks it base64 (DICOMweb's multipart/related, application/dicom, image/jpeg,
 * image/png, application/octet-stream; zips) and as it is otherwise (JSON, text), whatever
 * Accept the client sent: API Gateway decides by the FIRST Accept media type, and a browser's
 * or a viewer's (`image/avif,...,*\/*` for an <img> thumbnail) would miss any shorter list.
 * Request bodies all arrive base64-encoded, which the handler chain decodes (STOW-RS needs its
 * multipart/related body as bytes). docs/dicomweb.md, Limits and AWS.
 */
export const BINARY_MEDIA_TYPES = ['*/*'];

export interface ApiProps {
  readonly userPool: cognito.IUserPool;
  /** The function of each registry key a route names. */
  readonly functions: Readonly<Partial<Record<FunctionKey, lambda.IFunction>>>;
  readonly observability: Observability;
  readonly routes?: readonly Route[];
  /** The routes anyone may call (GET /health, GET /openapi.json): no authorizer. */
  readonly publicRoutes?: readonly PublicRoute[];
  /** Exact browser origins allowed by CORS (checked by cors-origins.ts); none: no preflight, no CORS header. */
  readonly origins?: readonly string[];
}

/**
 * The REST API, built from `ROUTES`: one method per route, a Lambda proxy
 * integration to the route's function, the Cognito user pools authorizer on
 * every method (the handler then decides by role, the same way as locally) but the
 * public ones (`PUBLIC_ROUTES`: GET /health, GET /openapi.json, which serve no data),
 * a request validator, access logs, execution logs and X-Ray tracing.
 *
 * CORS only for the exact origins a deployment names (`apiOrigins`): then every resource
 * gets an OPTIONS method answered by API Gateway itself (a mock, without an authorizer:
 * a browser's preflight carries no credentials; it reaches no function and returns no data),
 * and the handlers add the CORS headers to their answers (layers/common/cors.ts). Without
 * origins, no OPTIONS method and no CORS header at all: the CLI and the gateway need none.
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

    const methodsOf = new Map<apigw.Resource, string[]>();
    for (const route of props.routes ?? ROUTES) {
      const fn = props.functions[route.fn];
      if (!fn) throw new Error(`hilum: route ${route.method} ${route.path} names function ${route.fn}, which was not built`);
      const resource = this.restApi.root.resourceForPath(route.path);
      methodsOf.set(resource, [...(methodsOf.get(resource) ?? []), route.method]);
      resource.addMethod(route.method, new apigw.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }), {
        authorizer,
        authorizationType: apigw.AuthorizationType.COGNITO,
        requestValidator: validator,
        operationName: route.fn,
      });
    }

    for (const route of props.publicRoutes ?? PUBLIC_ROUTES) {
      const fn = props.functions[route.fn];
      if (!fn) throw new Error(`hilum: route ${route.method} ${route.path} names function ${route.fn}, which was not built`);
      const resource = this.restApi.root.resourceForPath(route.path);
      methodsOf.set(resource, [...(methodsOf.get(resource) ?? []), route.method]);
      const method = resource.addMethod(route.method, new apigw.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }), {
        authorizationType: apigw.AuthorizationType.NONE,
        operationName: route.id,
      });
      Validations.of(method).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Public on purpose (layers/access/public-routes.ts): the health check a load balancer or monitor calls without credentials, and the API description; their function reads no table, bucket or key and answers constants of its bundle.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason: 'Public on purpose: no Cognito token is asked for the health check and the API description, which serve no data.',
        },
      );
    }

    const origins = props.origins ?? [];
    if (origins.length > 0) this.allowOrigins(origins, methodsOf);

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
          'WAF is optional per deployment (cost, and most traffic is authenticated CLI calls); every method but the public GET /health and GET /openapi.json (no data) requires a Cognito token, and the stage is throttled. Attach a web ACL where the deployment is internet-facing at scale.',
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

  /**
   * The preflight of every resource, answered by API Gateway for the named origins only (CDK's
   * template echoes the request's Origin when it is one of them), converted to text: with
   * binary media types `*\/*`, a mock's empty answer would otherwise fail as a binary one (500).
   * Gateway responses (the authorizer's 401, throttling's 429, 5xx) carry the origin too when
   * there is exactly one: they cannot choose among several, so with several a browser sees
   * those refusals as CORS failures.
   */
  private allowOrigins(origins: readonly string[], methodsOf: ReadonlyMap<apigw.Resource, readonly string[]>): void {
    for (const [resource, methods] of methodsOf) {
      const preflight = resource.addCorsPreflight({
        allowOrigins: [...origins],
        allowMethods: [...methods],
        allowHeaders: [...CORS_ALLOW_HEADERS],
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
        statusCode: 204,
      });
      const cfn = preflight.node.defaultChild as apigw.CfnMethod;
      cfn.addPropertyOverride('Integration.ContentHandling', 'CONVERT_TO_TEXT');
      cfn.addPropertyOverride('Integration.IntegrationResponses.0.ContentHandling', 'CONVERT_TO_TEXT');
    }
    if (origins.length === 1) {
      const headers = { 'Access-Control-Allow-Origin': `'${origins[0]}'`, Vary: "'Origin'" };
      this.restApi.addGatewayResponse('Default4xx', { type: apigw.ResponseType.DEFAULT_4XX, responseHeaders: headers });
      this.restApi.addGatewayResponse('Default5xx', { type: apigw.ResponseType.DEFAULT_5XX, responseHeaders: headers });
    }
  }
}
