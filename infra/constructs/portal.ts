import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { logicalIdOf } from './metadata';

export interface PortalProps {
  /** The AWS build of the portal (`npm run portal:build -- aws`: web/dist-aws), without the local role picker. */
  readonly distDir: string;
  /** Where the bucket's server access logs go (the commons' access log bucket). */
  readonly accessLogs: s3.IBucket;
}

/**
 * The web portal in AWS: the built single-page app in a private bucket (no public access; only
 * CloudFront reads it, through origin access control), served over HTTPS only with security
 * headers, page routes answered with index.html. Its origin is added to the API's CORS origins and
 * to the Cognito app client's callback URLs by the stack; `deploy()` then writes the files with the
 * `portal-config.json` naming the API and the managed login.
 */
export class Portal extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<distribution>.cloudfront.net`. */
  readonly origin: string;
  private readonly headers: cloudfront.ResponseHeadersPolicy;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: PortalProps,
  ) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'portal/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-old-builds', noncurrentVersionExpiration: Duration.days(30) }],
    });
    Validations.of(this.bucket).acknowledge(
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          "The bucket holds the portal's public build (HTML, JavaScript, CSS), no data; SSE-S3 lets CloudFront's origin access control read it without a KMS key grant.",
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason: 'The build is reproduced from the repository by every deploy; replicating it would protect nothing.',
      },
    );

    // The API and Cognito origins are added by the stack through `allowConnections`.
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'hilum portal: CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: portalCsp([]), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'hilum portal',
      defaultRootObject: 'index.html',
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
      },
      // The app's own routes (/explore, /cohorts/...) are not objects: S3 answers 403 (the bucket is
      // not listable), and the app itself says "not found" for what it does not know.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Researchers of a data commons sign in from anywhere; access is decided by Cognito and the API, not by country.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves a static build with no data and no forms posting to it; the API it calls has its own throttling and authorizer.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Standard CloudFront logs need an ACL-enabled bucket, which the commons does not keep; the static files hold no data, and every data request is audited by the API.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate is used until a deployment adds its own domain; the policy asks TLS 1.2 (TLS_V1_2_2021) and CloudFront applies it with a custom certificate.',
      },
    );
  }

  /** The CSP's connect-src: the API, Cognito's token endpoint and S3 (presigned uploads and downloads). */
  allowConnections(connectOrigins: readonly string[]): void {
    const cfn = this.headers.node.defaultChild as cloudfront.CfnResponseHeadersPolicy;
    cfn.addPropertyOverride(
      'ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy',
      portalCsp(connectOrigins),
    );
  }

  /** Uploads the build and its configuration, and clears CloudFront's copies of the two files that name no hash. */
  deploy(config: { apiUrl: string; cognito: { domain: string; clientId: string } }): void {
    new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(this.props.distDir),
        s3deploy.Source.jsonData('portal-config.json', {
          apiUrl: config.apiUrl,
          mode: 'aws',
          cognito: { ...config.cognito, redirectUri: `${this.origin}/auth/callback`, logoutUri: `${this.origin}/` },
        }),
      ],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/portal-config.json'],
      prune: false,
      memoryLimit: 512,
    });
    // CDK's deployment function (one per stack and memory size, outside this construct): it runs
    // only during a deploy, copying the build from the CDK asset bucket into the portal's bucket.
    const handler = Stack.of(this)
      .node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))
      .find((c) => c instanceof lambda.Function);
    if (!handler) return;
    const why = 'CDK BucketDeployment runs only during a deploy, to copy the static build from the CDK asset bucket';
    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: `${why}; CDK gives its function the managed basic execution role (log writes only).`,
      },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${why}; CDK's grant (read the asset, write the portal bucket) uses these action groups.`,
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason: `${why}; it reads the build's asset zip from the bootstrap asset bucket.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.bucket)}.Arn>/*]`,
        reason: `${why}; it writes every object of the portal's build bucket (and only that bucket).`,
      },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: `${why}; CloudFront CreateInvalidation takes no resource ARN.` },
      { id: 'AwsSolutions-L1', reason: `${why}; its runtime is chosen by CDK (aws-s3-deployment), not by hilum.` },
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: `${why}; CDK writes its grants as the role's default inline policy.` },
      { id: 'HIPAA.Security-LambdaConcurrency', reason: `${why}; one invocation per deploy, no concurrency to bound.` },
      {
        id: 'HIPAA.Security-LambdaDLQ',
        reason: `${why}; CloudFormation receives its outcome and rolls back on failure, no event to keep.`,
      },
      { id: 'HIPAA.Security-LambdaInsideVPC', reason: `${why}; it reaches S3 and CloudFront only, holds no data, and needs no VPC.` },
    );
  }
}

/** The portal's Content-Security-Policy in AWS (the local one is in local/portal/site.ts). */
export function portalCsp(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src ${["'self'", ...connectOrigins].join(' ')}`,
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}
