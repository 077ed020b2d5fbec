import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BucketName } from '../../functions/registry';
import { exactOrigins } from './cors-origins';
import { META, describe } from './metadata';

export interface StorageProps {
  /**
   * Exact browser origins allowed to PUT to presigned intake URLs (a web portal's).
   * None by default, and then the intake bucket has no CORS rule: the CLI and the
   * gateway are not browsers. `*` and wildcards are refused at synth (cors-origins.ts).
   */
  readonly uploadOrigins?: readonly string[];
}

/**
 * Lets a browser read what a presigned GET URL of the released bucket names (a DICOMweb
 * answer above 4 MiB is a 303 to one). A browser that follows the API's cross-origin 303 sends
 * `Origin: null` and drops Authorization, so no exact-origin rule can match it: the rule answers
 * `*`, without credentials, for GET and HEAD only. It lets no page read anything it could not
 * already fetch with curl: the signed URL is the capability, and S3 refuses every unsigned or
 * expired request before CORS matters (docs/threat-model.md, "Released bucket CORS").
 */
const RELEASED_READ_CORS: s3.CorsRule = {
  allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
  allowedOrigins: ['*'],
  // The redirected request keeps the page's other headers (a DICOMweb Accept with quotes is preflighted).
  allowedHeaders: ['*'],
  exposedHeaders: ['Content-Length', 'Content-Type', 'ETag'],
  maxAge: 3000,
};

/**
 * The three data buckets and their server access log bucket. PHI lives only in
 * `intake` (short lifecycle) and `quarantine`; `released` holds de-identified,
 * verified objects only. Each data bucket has its own customer managed key, so a
 * grant on one bucket never decrypts another's objects.
 */
export class Storage extends Construct {
  readonly accessLogs: s3.Bucket;
  readonly intake: s3.Bucket;
  readonly quarantine: s3.Bucket;
  readonly released: s3.Bucket;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access log delivery supports SSE-S3 only on the target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    describe(this.accessLogs, META.bucket, 'access-logs');
    Validations.of(this.accessLogs).acknowledge(
      { id: 'AwsSolutions-S1', reason: 'This is the server access log bucket; logging it into itself would loop.' },
      { id: 'HIPAA.Security-S3BucketLoggingEnabled', reason: 'This is the server access log bucket; logging it into itself would loop.' },
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          'S3 server access log delivery only supports SSE-S3 on the destination bucket; the logs hold request metadata, never object contents.',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'Access logs are operational records kept for a year in one region; cross-region replication is a per-deployment choice, not a default.',
      },
    );

    const uploadOrigins = exactOrigins(
      props.uploadOrigins,
      "context 'uploadOrigins' (browser origins allowed to PUT to the intake bucket)",
    );
    this.intake = this.dataBucket('Intake', 'intake', {
      lifecycleRules: [
        {
          id: 'intake-short-lifecycle',
          expiration: Duration.days(30),
          noncurrentVersionExpiration: Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(2),
        },
      ],
      cors:
        uploadOrigins.length === 0
          ? undefined
          : [
              {
                allowedMethods: [s3.HttpMethods.PUT],
                allowedOrigins: uploadOrigins,
                allowedHeaders: ['*'],
                // Multipart uploads read each part's ETag from the response.
                exposedHeaders: ['ETag'],
                maxAge: 3000,
              },
            ],
    });
    // EventBridge notifications set on the bucket resource itself: the L2
    // `eventBridgeEnabled` would add the BucketNotifications custom-resource
    // Lambda (managed policy, Node runtime we do not control) for no benefit,
    // since the bucket is created in this stack.
    (this.intake.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    this.quarantine = this.dataBucket('Quarantine', 'quarantine', {});
    this.released = this.dataBucket('Released', 'released', { cors: [RELEASED_READ_CORS] });
  }

  bucket(name: BucketName): s3.Bucket {
    return { intake: this.intake, quarantine: this.quarantine, released: this.released }[name];
  }

  private dataBucket(id: string, name: BucketName, extra: Pick<s3.BucketProps, 'lifecycleRules' | 'cors'>): s3.Bucket {
    const key = new kms.Key(this, `${id}Key`, {
      description: `hilum ${name} bucket`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = new s3.Bucket(this, id, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: `${name}/`,
      ...extra,
    });
    describe(bucket, META.bucket, name);
    Validations.of(bucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        name === 'intake'
          ? 'Intake is a transient landing zone (30-day expiry); a lost upload is re-sent by the site, so replicating PHI to a second region would only widen its footprint.'
          : `The ${name} bucket is versioned, KMS-encrypted and RETAINed; cross-region replication depends on each deployment's data-residency agreement (some forbid a second region), so it is a deployment option, not a default.`,
    });
    return bucket;
  }
}
