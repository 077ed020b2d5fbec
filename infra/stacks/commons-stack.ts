import { CfnOutput, NestedStack, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FUNCTIONS, FunctionKey } from '../../functions/registry';
import { ENV } from '../../layers/common/env-names';
import { Analytics } from '../constructs/analytics';
import { Api } from '../constructs/api';
import { Auth } from '../constructs/auth';
import { Catalog } from '../constructs/catalog';
import { exactOrigins } from '../constructs/cors-origins';
import { HilumFunction } from '../constructs/hilum-function';
import { Observability } from '../constructs/observability';
import { PageCursorKey } from '../constructs/page-cursor-key';
import { Portal } from '../constructs/portal';
import { Pipeline } from '../constructs/pipeline';
import { DeidKeys } from '../constructs/secrets';
import { Storage } from '../constructs/storage';

export interface CommonsStackProps extends StackProps {
  /** Contributing sites (one `site-uploader:<site>` group each). */
  readonly sites: readonly string[];
  readonly uploadOrigins?: readonly string[];
  /** Browser origins (a web portal) the API answers with CORS; none by default. */
  readonly apiOrigins?: readonly string[];
  readonly logLevel?: string;
  /** The web portal's AWS build (web/dist-aws) to serve through CloudFront; absent: no portal. */
  readonly portalDistDir?: string;
  /**
   * Reserved concurrency of each function a backfill fans out to (the per-object ingest tasks, the
   * evaluation's per-case scoring): it both guarantees them that many and caps them there, so a
   * million-object import cannot take the account's concurrency from the API. Default
   * PIPELINE_CONCURRENCY; 0 reserves nothing (an account whose concurrency limit is too low to reserve).
   */
  readonly pipelineConcurrency?: number;
}

/** Per fan-out function: IngestBatch, IngestObject, Quarantine and ScoreCase at 50 reserve 200 of the default 1,000. */
export const PIPELINE_CONCURRENCY = 50;

/** The functions invoked once per object, per batch of objects or per case, whose concurrency grows with an import. */
export const FAN_OUT_FUNCTIONS: readonly FunctionKey[] = ['ingestBatch', 'ingestObject', 'quarantine', 'scoreCase'];

/**
 * One deployment of the commons: storage, catalog, the per-project key store, auth, every function
 * of the registry wired to what its spec declares, the two workflows and the API.
 */
export class CommonsStack extends Stack {
  readonly storage: Storage;
  readonly catalog: Catalog;
  readonly deidKeys: DeidKeys;
  readonly auth: Auth;
  readonly pageCursorKey: PageCursorKey;
  readonly observability: Observability;
  readonly functions: Readonly<Record<FunctionKey, HilumFunction>>;
  readonly pipeline: Pipeline;
  readonly api: Api;
  readonly analytics: Analytics;
  readonly portal?: Portal;

  constructor(scope: Construct, id: string, props: CommonsStackProps) {
    super(scope, id, props);
    this.observability = new Observability(this, 'Observability');
    this.storage = new Storage(this, 'Storage', { uploadOrigins: props.uploadOrigins });
    this.catalog = new Catalog(this, 'Catalog');
    this.deidKeys = new DeidKeys(this, 'DeidKeys');
    // The portal's distribution first: its origin is a callback of the app client and a CORS origin of the API.
    this.portal = props.portalDistDir
      ? new Portal(this, 'Portal', { distDir: props.portalDistDir, accessLogs: this.storage.accessLogs, logKey: this.observability.key })
      : undefined;
    this.auth = new Auth(this, 'Auth', { sites: props.sites, ...(this.portal ? { portalOrigin: this.portal.origin } : {}) });
    this.pageCursorKey = new PageCursorKey(this, 'PageCursorKey', { encryptionKey: this.catalog.key });
    const apiOrigins = [
      ...exactOrigins(props.apiOrigins, "context 'apiOrigins' (browser origins allowed to call the API)"),
      ...(this.portal ? [this.portal.origin] : []),
    ];

    // The workflows need the functions and the event-putting functions need the
    // pipeline's bus: functions first, then the pipeline, then the bus binding.
    const built = {} as Record<FunctionKey, HilumFunction>;
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const spec = FUNCTIONS[key];
      const fn = new HilumFunction(this, spec.id, { spec, logKey: this.observability.key, logLevel: props.logLevel });
      if (spec.buckets.intake) fn.bindBucket(ENV.intakeBucket, this.storage.intake, spec.buckets.intake);
      if (spec.buckets.quarantine) fn.bindBucket(ENV.quarantineBucket, this.storage.quarantine, spec.buckets.quarantine);
      if (spec.buckets.released) fn.bindBucket(ENV.releasedBucket, this.storage.released, spec.buckets.released);
      if (spec.table) fn.bindTable(ENV.catalogTable, this.catalog.table, spec.table);
      // Every API request appends its access decision to the audit log, read-only functions too.
      if (spec.verifiesTokens && spec.table === 'read') fn.bindAuditAppend(this.catalog.table, this.catalog.key);
      if (spec.deidKeys) this.deidKeys.bind(fn, spec.deidKeys);
      if (spec.pagesResults) this.pageCursorKey.bind(fn);
      if (spec.verifiesTokens) {
        fn.bindValue(ENV.authIssuer, this.auth.issuer);
        fn.bindValue(ENV.authJwksUrl, this.auth.jwksUrl);
        fn.bindValue(ENV.authAudience, this.auth.client.userPoolClientId);
        // The handler chain answers these origins with CORS headers (layers/common/cors.ts).
        fn.bindValue(ENV.apiOrigins, JSON.stringify(apiOrigins));
      }
      this.observability.watchFunction(spec.id, fn);
      built[key] = fn;
    }
    this.functions = built;
    const reserved = props.pipelineConcurrency ?? PIPELINE_CONCURRENCY;
    if (reserved > 0) {
      for (const key of FAN_OUT_FUNCTIONS) (built[key].node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = reserved;
    }

    this.pipeline = new Pipeline(this, 'Pipeline', {
      intakeBucket: this.storage.intake,
      functions: this.functions,
      observability: this.observability,
    });
    for (const fn of Object.values(this.functions)) {
      if (fn.spec.putsEvents) fn.bindEventBus(ENV.eventBusName, this.pipeline.bus);
    }

    // Each route costs the API a method, a resource and an invoke permission (and a preflight
    // with apiOrigins): in a nested stack of its own, the commons stays under CloudFormation's
    // 500 resources per stack as DICOMweb adds routes. test/infra/synth.ts flattens it back.
    const apiStack = new NestedStack(this, 'ApiStack', { description: 'hilum REST API' });
    this.api = new Api(apiStack, 'Api', {
      userPool: this.auth.userPool,
      functions: this.functions,
      observability: this.observability,
      origins: apiOrigins,
    });

    // Athena over each release's Parquet export (written by POST /releases).
    this.analytics = new Analytics(this, 'Analytics', {
      released: this.storage.released,
      releasedKey: this.storage.released.encryptionKey!,
    });

    if (this.portal && this.auth.loginDomain) {
      const apiUrl = this.api.restApi.url; // ends with a slash, which the portal drops
      const loginUrl = this.auth.loginDomain.baseUrl();
      // The API by its region's host pattern, not its id: the distribution's headers must not depend on
      // the API, whose functions verify the app client that names the distribution (a cycle).
      this.portal.allowConnections([
        `https://*.execute-api.${this.region}.${this.urlSuffix}`,
        loginUrl,
        `https://*.s3.${this.region}.amazonaws.com`,
      ]);
      this.portal.deploy({ apiUrl, cognito: { domain: loginUrl, clientId: this.auth.client.userPoolClientId } });
      new CfnOutput(this, 'PortalUrl', { value: this.portal.origin });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'IntakeBucketName', { value: this.storage.intake.bucketName });
  }
}
