import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, FunctionSpec, PUBLIC_ROUTES, ROUTES, environmentNamesFor } from '../../functions/registry';
import { ENV } from '../../layers/common/env-names';
import { CfnResource, Json, Synthesized, byMetadata, ofType, synthCommons } from './synth';

let s: Synthesized;
beforeAll(() => {
  s = synthCommons();
});

const DATA_BUCKETS = ['intake', 'quarantine', 'released'] as const;
const HOUSE_ENV = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'LOG_LEVEL', 'NODE_OPTIONS', 'V8_HEAP_GROWING_PERCENT'];
const bucketId = (name: string): string => byMetadata(s.resources, 'hilum:bucket', name)[0];
const fnOf = (spec: FunctionSpec): [string, CfnResource] => byMetadata(s.resources, 'hilum:functionId', spec.id);
const props = (r: CfnResource): Json => r.Properties ?? {};

/** Every IAM statement attached to the role of a function. */
function statementsOf(spec: FunctionSpec): Json[] {
  const roleRef = props(fnOf(spec)[1]).Role as { 'Fn::GetAtt': [string, string] };
  const roleId = roleRef['Fn::GetAtt'][0];
  return ofType(s.resources, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(props(p).Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, p]) => (props(p).PolicyDocument as { Statement: Json[] }).Statement);
}
const actionsOf = (statements: Json[]): string[] => statements.flatMap((st) => [st.Action].flat() as string[]);
const deidKmsKeyId = (): string => s.logicalIdAt('DeidKeys/Key/Resource');
/** `arn:${Partition}:secretsmanager:${Region}:${AccountId}:secret:hilum/Hilum/projects/*\/deid-key*`, as synthesized. */
const DEID_KEYS_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':secretsmanager:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':secret:hilum/Hilum/projects/*/deid-key*',
    ],
  ],
};

describe('storage', () => {
  it.each(DATA_BUCKETS)('the %s bucket is KMS-encrypted with its own rotating key, private, versioned, logged and retained', (name) => {
    const [id, bucket] = byMetadata(s.resources, 'hilum:bucket', name);
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    s.template.hasResource('AWS::S3::Bucket', {
      Metadata: Match.objectLike({ 'hilum:bucket': name }),
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
              BucketKeyEnabled: true,
            }),
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: bucketId('access-logs') }, LogFilePrefix: `${name}/` },
      }),
    });
    const keyRef = (
      (((props(bucket).BucketEncryption as Json).ServerSideEncryptionConfiguration as Json[])[0]!.ServerSideEncryptionByDefault as Json)
        .KMSMasterKeyID as Json
    )['Fn::GetAtt'] as string[];
    expect(s.resources[keyRef[0]!]).toMatchObject({
      Type: 'AWS::KMS::Key',
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
    expect(id).toBeTruthy();
  });

  it('gives each data bucket a different key, so a grant on one never decrypts another', () => {
    const keys = DATA_BUCKETS.map((name) => JSON.stringify(props(byMetadata(s.resources, 'hilum:bucket', name)[1]).BucketEncryption));
    expect(new Set(keys).size).toBe(3);
  });

  it.each([...DATA_BUCKETS, 'access-logs'])('the %s bucket denies requests without TLS', (name) => {
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId(name) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('expires intake objects after 30 days, noncurrent versions after 7 and stale multipart uploads after 2', () => {
    expect(props(byMetadata(s.resources, 'hilum:bucket', 'intake')[1]).LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'intake-short-lifecycle',
          Status: 'Enabled',
          ExpirationInDays: 30,
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
        },
      ],
    });
  });

  it('sends intake events to EventBridge, with no CORS rule by default (test/infra/cors.test.ts)', () => {
    const intake = props(byMetadata(s.resources, 'hilum:bucket', 'intake')[1]);
    expect(intake.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(intake.CorsConfiguration).toBeUndefined();
  });

  it('keeps only intake on a short lifecycle', () => {
    expect(props(byMetadata(s.resources, 'hilum:bucket', 'released')[1]).LifecycleConfiguration).toBeUndefined();
    expect(props(byMetadata(s.resources, 'hilum:bucket', 'quarantine')[1]).LifecycleConfiguration).toBeUndefined();
  });
});

describe('catalog', () => {
  it('is one on-demand pk/sk table with gsi1, PITR, its own KMS key, TTL and RETAIN', () => {
    const [, table] = byMetadata(s.resources, 'hilum:table', 'catalog');
    expect(ofType(s.resources, 'AWS::DynamoDB::Table')).toHaveLength(1);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(props(table).AttributeDefinitions).toEqual(
      expect.arrayContaining(['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((n) => ({ AttributeName: n, AttributeType: 'S' }))),
    );
  });
});

describe('functions', () => {
  const specs = Object.values(FUNCTIONS);

  it('builds exactly one function per registry entry', () => {
    expect(
      ofType(s.resources, 'AWS::Lambda::Function')
        .map(([, r]) => r.Metadata?.['hilum:functionId'])
        .sort(),
    ).toEqual(specs.map((f) => f.id).sort());
  });

  it('runs every function in the template on nodejs24.x, the Node major the tests run on, and names no other runtime', () => {
    // Every Lambda function, the registry's and any CDK adds itself (custom-resource providers for
    // auto-deleted objects, log retention or bucket notifications would be AWS::Lambda::Function too).
    const functions = Object.entries(s.resources).filter(([, r]) => /^AWS::(Lambda|Serverless)::Function$/.test(r.Type));
    expect(functions.length).toBeGreaterThanOrEqual(specs.length);
    expect(functions.map(([id, r]) => [id, props(r).Runtime]).filter(([, runtime]) => runtime !== 'nodejs24.x')).toEqual([]);
    // Nothing else in the template names a runtime (a layer's compatible runtimes, an inline provider).
    const named = new Set(
      JSON.stringify(s.template.toJSON()).match(/\b(?:nodejs\d+(?:\.\d+)*(?:\.x)?|python\d\.\d+|java\d+|ruby\d\.\d+|dotnet\d+)\b/g),
    );
    expect([...named]).toEqual(['nodejs24.x']);
    expect(`nodejs${process.versions.node.split('.')[0]}.x`).toBe('nodejs24.x');
  });

  it.each(specs.map((f) => [f.id, f] as const))(
    '%s runs on ARM64 Node 24 with tracing, its own encrypted log group and the registry entry',
    (_id, spec) => {
      const [, fn] = fnOf(spec);
      expect(fn.Metadata).toMatchObject({ 'hilum:functionId': spec.id, 'hilum:entry': spec.entry });
      expect(fn.Properties).toMatchObject({
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
      const logGroupId = ((props(fn).LoggingConfig as Json).LogGroup as { Ref: string }).Ref;
      expect(s.resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { KmsKeyId: expect.anything(), RetentionInDays: expect.any(Number) },
      });
    },
  );

  it.each(specs.map((f) => [f.id, f] as const))('%s has exactly the environment the registry names', (_id, spec) => {
    const vars = (props(fnOf(spec)[1]).Environment as { Variables: Json }).Variables;
    expect(Object.keys(vars).sort()).toEqual([...environmentNamesFor(spec), ...HOUSE_ENV].sort());
    expect(vars).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: 'hilum',
      LOG_LEVEL: 'INFO',
      POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^hilum-/),
      // V8's flags cannot go in NODE_OPTIONS: the handler's process sets it (layers/adapters/heap-growth.ts).
      V8_HEAP_GROWING_PERCENT: '300',
    });
    const expected: Json = {};
    if (spec.buckets.intake) expected[ENV.intakeBucket] = { Ref: bucketId('intake') };
    if (spec.buckets.quarantine) expected[ENV.quarantineBucket] = { Ref: bucketId('quarantine') };
    if (spec.buckets.released) expected[ENV.releasedBucket] = { Ref: bucketId('released') };
    if (spec.table) expected[ENV.catalogTable] = { Ref: byMetadata(s.resources, 'hilum:table', 'catalog')[0] };
    if (spec.putsEvents) expected[ENV.eventBusName] = { Ref: byMetadata(s.resources, 'hilum:eventBus', 'pipeline')[0] };
    if (spec.deidKeys) expected[ENV.deidKeyPrefix] = 'hilum/Hilum';
    if (spec.deidKeys === 'create') expected[ENV.deidKeyKmsKeyArn] = { 'Fn::GetAtt': [deidKmsKeyId(), 'Arn'] };
    if (spec.verifiesTokens) {
      const pool = byMetadata(s.resources, 'hilum:userPool', 'users')[0];
      const issuer = ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: pool }];
      expected[ENV.authIssuer] = { 'Fn::Join': ['', issuer] };
      expected[ENV.authJwksUrl] = { 'Fn::Join': ['', [...issuer, '/.well-known/jwks.json']] };
      expected[ENV.authAudience] = { Ref: byMetadata(s.resources, 'hilum:userPoolClient', 'cli')[0] };
    }
    expect(vars).toMatchObject(expected);
  });

  it.each(specs.map((f) => [f.id, f] as const))('%s is granted only what its spec declares', (_id, spec) => {
    const statements = statementsOf(spec);
    const text = JSON.stringify(statements);
    const actions = actionsOf(statements);
    for (const name of DATA_BUCKETS) {
      expect(text.includes(`"${bucketId(name)}"`)).toBe(spec.buckets[name] !== undefined);
    }
    // Read-only API functions append audit events: PutItem only, only on AUDIT# partition keys.
    const isAuditAppend = (st: Json) =>
      JSON.stringify(st.Condition ?? {}) === JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } });
    expect(statements.filter(isAuditAppend).map((st) => st.Action)).toEqual(
      spec.verifiesTokens && spec.table === 'read' ? ['dynamodb:PutItem'] : [],
    );
    const tableWrites = actionsOf(statements.filter((st) => !isAuditAppend(st))).filter((a) =>
      /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(a),
    );
    const tableReads = actions.filter((a) => /^dynamodb:(GetItem|Query)$/.test(a));
    expect(tableReads.length > 0).toBe(spec.table === 'read' || spec.table === 'readwrite');
    expect(tableWrites.length > 0).toBe(spec.table === 'write' || spec.table === 'readwrite');
    expect(actions.includes('events:PutEvents')).toBe(spec.putsEvents === true);
    const onDeidKeys = actionsOf(statements.filter((st) => JSON.stringify(st.Resource) === JSON.stringify(DEID_KEYS_ARN)));
    expect(onDeidKeys).toEqual(
      spec.deidKeys
        ? [
            { read: 'secretsmanager:GetSecretValue', describe: 'secretsmanager:DescribeSecret', create: 'secretsmanager:CreateSecret' }[
              spec.deidKeys
            ],
          ]
        : [],
    );
    expect(actions.includes('secretsmanager:CreateSecret')).toBe(spec.deidKeys === 'create');
    const s3Deletes = actions.some((a) => a.startsWith('s3:DeleteObject'));
    expect(s3Deletes).toBe(Object.values(spec.buckets).includes('readwrite'));
    expect(actions.some((a) => a === 'iam:PassRole' || a === '*' || a === 's3:*')).toBe(false);
  });

  it('attaches no AWS managed policy to function roles', () => {
    for (const spec of specs) {
      const roleId = ((props(fnOf(spec)[1]).Role as Json)['Fn::GetAtt'] as string[])[0]!;
      expect(props(s.resources[roleId]!).ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('api', () => {
  it('has one method per route, each a Lambda proxy to its function behind the Cognito authorizer and the validator', () => {
    const methods = ofType(s.resources, 'AWS::ApiGateway::Method').filter(([, m]) => props(m).AuthorizationType !== 'NONE');
    expect(methods).toHaveLength(ROUTES.length);
    const [authorizerId] = ofType(s.resources, 'AWS::ApiGateway::Authorizer')[0]!;
    const [validatorId] = ofType(s.resources, 'AWS::ApiGateway::RequestValidator')[0]!;
    for (const route of ROUTES) {
      const fnId = fnOf(FUNCTIONS[route.fn])[0];
      s.template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: route.method,
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: { Ref: authorizerId },
        RequestValidatorId: { Ref: validatorId },
        Integration: Match.objectLike({
          Type: 'AWS_PROXY',
          Uri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [fnId, 'Arn'] }])] }),
        }),
      });
    }
    for (const [, m] of methods) expect(props(m).AuthorizationType).toBe('COGNITO_USER_POOLS');
  });

  it('has a method without authorizer for each public route only (GET /health, GET /openapi.json), to a function that verifies no token', () => {
    const open = ofType(s.resources, 'AWS::ApiGateway::Method').filter(([, m]) => props(m).AuthorizationType === 'NONE');
    expect(open.map(([, m]) => props(m).OperationName).sort()).toEqual(PUBLIC_ROUTES.map((r) => r.id).sort());
    for (const route of PUBLIC_ROUTES) {
      expect(FUNCTIONS[route.fn].verifiesTokens).toBe(false);
      const fnId = fnOf(FUNCTIONS[route.fn])[0];
      s.template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: route.method,
        AuthorizationType: 'NONE',
        OperationName: route.id,
        Integration: Match.objectLike({
          Type: 'AWS_PROXY',
          Uri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [fnId, 'Arn'] }])] }),
        }),
      });
    }
    const [publicFn] = fnOf(FUNCTIONS.publicApi);
    const variables = Object.keys(((props(s.resources[publicFn]!).Environment as Json | undefined)?.Variables ?? {}) as Json);
    expect(variables.filter((name) => !/^(POWERTOOLS_|LOG_LEVEL|NODE_OPTIONS|V8_HEAP_GROWING_PERCENT|AWS_)/.test(name))).toEqual([]);
  });

  it('uses the user pool authorizer of the commons', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [{ 'Fn::GetAtt': [byMetadata(s.resources, 'hilum:userPool', 'users')[0], 'Arn'] }],
    });
  });

  it('traces, throttles and logs the stage (access logs to an encrypted group, no data trace)', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [Match.objectLike({ LoggingLevel: 'INFO', DataTraceEnabled: false, MetricsEnabled: true })],
    });
  });
});

describe('auth', () => {
  it('has an admin-only user pool with required TOTP MFA, a strong password policy and threat protection', () => {
    const [, pool] = byMetadata(s.resources, 'hilum:userPool', 'users');
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: { MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true },
      },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('creates the role groups and one uploader group for the default site', () => {
    const names = ofType(s.resources, 'AWS::Cognito::UserPoolGroup')
      .map(([, g]) => props(g).GroupName)
      .sort();
    expect(names).toEqual(['admin', 'curator', 'dac', 'evaluator', 'linker', 'researcher', 'site-uploader:demo-site'].sort());
  });

  it('has a public SRP client with refresh tokens', () => {
    const [, client] = byMetadata(s.resources, 'hilum:userPoolClient', 'cli');
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      ExplicitAuthFlows: expect.arrayContaining(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
    });
    expect(props(client).ExplicitAuthFlows).toHaveLength(2);
  });
});

describe('per-project de-identification keys', () => {
  const specs = Object.values(FUNCTIONS);
  const KEYS_ARN = DEID_KEYS_ARN;
  const secretStatements = (spec: FunctionSpec) =>
    statementsOf(spec).filter((st) => JSON.stringify(st.Resource) === JSON.stringify(KEYS_ARN));
  const kmsStatementsOnDeidKey = (spec: FunctionSpec) =>
    statementsOf(spec).filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ 'Fn::GetAtt': [deidKmsKeyId(), 'Arn'] }));

  it('declares no deployment-wide de-identification secret and no rotation: keys are created per project at run time', () => {
    expect(ofType(s.resources, 'AWS::SecretsManager::Secret').filter(([, r]) => r.Metadata?.['hilum:secret'] === 'deid')).toHaveLength(0);
    expect(ofType(s.resources, 'AWS::SecretsManager::RotationSchedule')).toHaveLength(0);
    for (const spec of specs)
      expect(Object.keys((props(fnOf(spec)[1]).Environment as { Variables: Json }).Variables)).not.toContain('DEID_SECRET_ID');
  });

  it('grants no function a secretsmanager action on every secret', () => {
    for (const spec of specs) {
      const wide = statementsOf(spec).filter(
        (st) => [st.Action].flat().some((a) => String(a).startsWith('secretsmanager:')) && [st.Resource].flat().includes('*'),
      );
      expect(wide).toEqual([]);
    }
  });

  it('encrypts the keys with their own rotating, retained CMK', () => {
    expect(s.resources[deidKmsKeyId()]).toMatchObject({
      Type: 'AWS::KMS::Key',
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });

  it.each(specs.filter((f) => f.deidKeys).map((f) => [f.id, f] as const))(
    '%s reaches the keys only under the deployment prefix, and the CMK only through Secrets Manager for them',
    (_id, spec) => {
      const [statement, ...others] = secretStatements(spec);
      expect(others).toHaveLength(0);
      expect(statement!.Resource).toEqual(KEYS_ARN);
      const kms = kmsStatementsOnDeidKey(spec);
      if (spec.deidKeys === 'describe') {
        expect(kms).toHaveLength(0);
        return;
      }
      expect(kms).toHaveLength(1);
      expect([kms[0]!.Action].flat().sort()).toEqual(spec.deidKeys === 'create' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt']);
      expect(kms[0]!.Condition).toEqual({
        StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        StringLike: { 'kms:EncryptionContext:SecretARN': KEYS_ARN },
      });
    },
  );

  it('lets only the project-saving function create keys, and only encrypted with the deployment CMK', () => {
    const creators = specs.filter((f) => actionsOf(statementsOf(f)).includes('secretsmanager:CreateSecret')).map((f) => f.id);
    expect(creators).toEqual([FUNCTIONS.saveProject.id]);
    expect(secretStatements(FUNCTIONS.saveProject)[0]!.Condition).toEqual({
      StringEquals: { 'secretsmanager:KmsKeyId': { 'Fn::GetAtt': [deidKmsKeyId(), 'Arn'] } },
    });
  });

  it('gives the values only to the pipeline, cases, clinical and linkage-token sheets, quarantine release, the site-key route and STOW-RS (it remaps UIDs into Retrieve URLs); submissions read versions only', () => {
    const byAccess = (access: string) =>
      specs
        .filter((f) => f.deidKeys === access)
        .map((f) => f.id)
        .sort();
    expect(byAccess('read')).toEqual(
      [
        FUNCTIONS.ingestBatch,
        FUNCTIONS.ingestObject,
        FUNCTIONS.putCases,
        FUNCTIONS.putClinicalSheet,
        FUNCTIONS.putLinkageTokens,
        FUNCTIONS.quarantineRelease,
        FUNCTIONS.siteKey,
        FUNCTIONS.stow,
      ]
        .map((f) => f.id)
        .sort(),
    );
    expect(byAccess('describe')).toEqual([FUNCTIONS.createSubmission.id]);
  });

  it('grants no function a way to change, delete, re-policy or list keys', () => {
    const forbidden =
      /^secretsmanager:(Put|Update|Delete|Restore|Rotate|Tag|Untag|List|BatchGet|Replicate|RemoveRegions|StopReplication|\*)/;
    for (const spec of specs) expect(actionsOf(statementsOf(spec)).filter((a) => forbidden.test(a))).toEqual([]);
  });
});

describe('observability', () => {
  it('alarms to a KMS-encrypted topic on workflow failures, dead letters and every function error', () => {
    const [topicId] = ofType(s.resources, 'AWS::SNS::Topic')[0]!;
    s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const alarms = ofType(s.resources, 'AWS::CloudWatch::Alarm').map(([, a]) => props(a));
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
    const metrics = alarms.map((a) => `${String(a.Namespace)}:${String(a.MetricName)}`);
    expect(metrics.filter((m) => m === 'AWS/States:ExecutionsFailed')).toHaveLength(
      ofType(s.resources, 'AWS::StepFunctions::StateMachine').length,
    );
    // One per dead-letter queue (of an EventBridge target, the ingest rules and the redrive sharing one, and of the ingest
    // queue); the ingest queue itself holds work, not failures.
    expect(metrics.filter((m) => m === 'AWS/SQS:ApproximateNumberOfMessagesVisible')).toHaveLength(
      ofType(s.resources, 'AWS::SQS::Queue').length - 1,
    );
    expect(metrics.filter((m) => m === 'hilum:StuckFiles')).toHaveLength(1);
    expect(metrics.filter((m) => m === 'AWS/Lambda:Errors')).toHaveLength(Object.keys(FUNCTIONS).length);
  });
});

describe('metadata conventions', () => {
  it.each([
    ['hilum:bucket', 'AWS::S3::Bucket', ['access-logs', 'intake', 'quarantine', 'released']],
    ['hilum:table', 'AWS::DynamoDB::Table', ['catalog']],
    [
      'hilum:workflow',
      'AWS::StepFunctions::StateMachine',
      ['evaluation', 'fhir-export', 'ingest', 'ingest-batch', 'ingest-large', 'submission', 'submission-large'],
    ],
    ['hilum:eventBus', 'AWS::Events::EventBus', ['pipeline']],
    ['hilum:userPool', 'AWS::Cognito::UserPool', ['users']],
    ['hilum:userPoolClient', 'AWS::Cognito::UserPoolClient', ['cli']],
  ])('%s is on every %s, one value each', (key, type, values) => {
    const all = ofType(s.resources, type);
    expect(all.map(([, r]) => r.Metadata?.[key]).sort()).toEqual(values);
    const elsewhere = Object.values(s.resources).filter((r) => r.Type !== type && r.Metadata?.[key] !== undefined);
    expect(elsewhere).toHaveLength(0);
  });
});
