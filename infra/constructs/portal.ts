import * as fs from 'node:fs';
import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { DEPLOY_FUNCTIONS } from '../../functions/registry';
import { SITE_CONFIG_KEY } from '../../layers/common/static-site';
import { HilumFunction } from './hilum-function';
import { logicalIdOf } from './metadata';

export interface PortalProps {
  /** The AWS build of the portal (`npm run portal:build -- aws`: web/dist-aws), without the local role picker. */
  readonly distDir: string;
  /** Where the bucket's server access logs go (the commons' access log bucket). */
  readonly accessLogs: s3.IBucket;
  /** Encrypts the publisher function's log group. */
  readonly logKey: kms.IKey;
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

  /**
   * Publishes the build and its configuration with our own Node 24 function (functions/deploy/
   * publish-portal.ts), not CDK's BucketDeployment, whose provider runs Python: each file of the build
   * is a single-file asset (uploaded as-is), and one custom resource lists them all. On Create and
   * Update the function copies them into the bucket with their Content-Type and Cache-Control, writes
   * `portal-config.json`, deletes (on Update) what the new build no longer has, and clears CloudFront's
   * copies of the two files that name no hash.
   */
  deploy(config: { apiUrl: string; cognito: { domain: string; clientId: string } }): void {
    const publisher = new HilumFunction(this, DEPLOY_FUNCTIONS.publishPortal.id, {
      spec: DEPLOY_FUNCTIONS.publishPortal,
      logKey: this.props.logKey,
    });
    const files = siteFiles(this.props.distDir).map((key, index) => {
      const asset = new Asset(this, `File${index}`, { path: path.join(this.props.distDir, key) });
      return { key, asset };
    });
    // Read on exactly these asset objects (the bootstrap bucket holds every asset of the account).
    publisher.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: files.map(({ asset }) => asset.bucket.arnForObjects(asset.s3ObjectKey)),
      }),
    );
    publisher.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [this.bucket.arnForObjects('*')] }),
    );
    publisher.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    this.distribution.grantCreateInvalidation(publisher);
    Validations.of(publisher.serviceRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.bucket)}.Arn>/*]`,
      reason:
        "The portal's publisher writes each file of the build at its own key and deletes the keys a new build dropped: object writes in the portal's build bucket only (no read, no other bucket).",
    });
    Validations.of(publisher).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'Invoked only by CloudFormation for the custom resource, which waits for its answer and rolls the deploy back on failure or silence; there is no event to keep.',
    });

    const resource = new CustomResource(this, 'Publish', {
      serviceToken: publisher.functionArn,
      resourceType: 'Custom::HilumPortalSite',
      properties: {
        Bucket: this.bucket.bucketName,
        DistributionId: this.distribution.distributionId,
        Files: files.map(({ key, asset }) => ({ Key: key, AssetBucket: asset.s3BucketName, AssetKey: asset.s3ObjectKey })),
        Config: {
          apiUrl: config.apiUrl,
          mode: 'aws',
          cognito: { ...config.cognito, redirectUri: `${this.origin}/auth/callback`, logoutUri: `${this.origin}/` },
        },
      },
    });
    // The grants first: CloudFormation may otherwise invoke the function before its policy exists.
    resource.node.addDependency(publisher.serviceRole);
  }
}

/**
 * The keys of the files of a build, relative to it, sorted: what the publisher copies. Dot folders
 * (Vite's `.vite/manifest.json`) are build bookkeeping, not pages; a `portal-config.json` of the
 * build would be overwritten by the deploy's own.
 */
export function siteFiles(distDir: string): string[] {
  const keys: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const key = `${prefix}${entry.name}`;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${key}/`);
      else if (entry.isFile() && key !== SITE_CONFIG_KEY) keys.push(key);
    }
  };
  walk(distDir, '');
  return keys.sort();
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
