/**
 * What the local runtime reads from a template: local physical names (the hilum resources by
 * their `hilum:*` metadata, the rest by logical id) and the model of buckets, tables,
 * functions, workflows, buses, secrets, rules and schedules, on a small template.
 */
import { TemplateError, type CfnTemplate } from '../../../local/template/cfn-template';
import { busNameOf, localPhysicalValues } from '../../../local/template/names';
import { modelOf, rateMs } from '../../../local/template/local-model';

const template: CfnTemplate = {
  Resources: {
    Intake: {
      Type: 'AWS::S3::Bucket',
      Metadata: { 'hilum:bucket': 'intake' },
      Properties: { NotificationConfiguration: { EventBridgeConfiguration: {} } },
    },
    Released: {
      Type: 'AWS::S3::Bucket',
      Metadata: { 'hilum:bucket': 'released' },
      Properties: {
        CorsConfiguration: { CorsRules: [{ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'], MaxAge: 3000 }] },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } },
              BucketKeyEnabled: true,
            },
          ],
        },
      },
    },
    ReleasedNotifications: {
      Type: 'Custom::S3BucketNotifications',
      Properties: { BucketName: { Ref: 'Released' }, NotificationConfiguration: { EventBridgeConfiguration: {} } },
    },
    Quarantine: { Type: 'AWS::S3::Bucket', Metadata: { 'hilum:bucket': 'quarantine' } },
    Catalog: {
      Type: 'AWS::DynamoDB::Table',
      Metadata: { 'hilum:table': 'catalog' },
      Properties: { TableName: { Ref: 'AWS::NoValue' }, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] },
    },
    Bus: { Type: 'AWS::Events::EventBus', Metadata: { 'hilum:eventBus': 'pipeline' } },
    Key: { Type: 'AWS::KMS::Key' },
    Cursor: {
      Type: 'AWS::SecretsManager::Secret',
      Metadata: { 'hilum:secret': 'page-cursor' },
      Properties: { GenerateSecretString: { PasswordLength: { 'Fn::Join': ['', ['6', '4']] } } },
    },
    ParseFn: {
      Type: 'AWS::Lambda::Function',
      Metadata: { 'hilum:functionId': 'Parse', 'hilum:entry': 'functions/ingest/parse.ts' },
      Properties: {
        Timeout: 300,
        MemorySize: 1024,
        ReservedConcurrentExecutions: 50,
        Environment: { Variables: { INTAKE_BUCKET: { Ref: 'Intake' }, KEY_ARN: { 'Fn::GetAtt': ['Key', 'Arn'] }, LIMIT: 5 } },
      },
    },
    PlainFn: { Type: 'AWS::Lambda::Function', Metadata: { 'hilum:functionId': 'Plain', 'hilum:entry': 'functions/plain.ts' } },
    Ingest: {
      Type: 'AWS::StepFunctions::StateMachine',
      Metadata: { 'hilum:workflow': 'ingest' },
      Properties: {
        DefinitionString: {
          'Fn::Join': [
            '',
            [
              '{"StartAt":"P","States":{"P":{"Type":"Task","Resource":"',
              { 'Fn::GetAtt': ['ParseFn', 'Arn'] },
              '","Comment":"${Sub}","End":true}}}',
            ],
          ],
        },
        DefinitionSubstitutions: { Sub: { Ref: 'Intake' } },
      },
    },
    OnCreated: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventPattern: { source: ['aws.s3'] },
        Targets: [{ Id: 'T1', Arn: { Ref: 'Ingest' }, InputPath: '$.detail' }],
      },
    },
    OnReady: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventBusName: { 'Fn::GetAtt': ['Bus', 'Arn'] },
        State: 'DISABLED',
        EventPattern: '{"detail-type":["Submission Ready"]}',
        Targets: [{ Id: 'T2', Arn: { Ref: 'Ingest' }, Input: '{"a":1}' }],
      },
    },
    Every15: {
      Type: 'AWS::Events::Rule',
      Properties: {
        ScheduleExpression: 'rate(15 minutes)',
        Targets: [{ Arn: { 'Fn::GetAtt': ['ParseFn', 'Arn'] }, Input: '{"sweep":true}' }, { Arn: 'x' }],
      },
    },
    Nightly: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'cron(0 2 * * ? *)', Targets: [] } },
    Dlq: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
    Queue: {
      Type: 'AWS::SQS::Queue',
      Properties: { VisibilityTimeout: 360, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: 5 } },
    },
    Pipe: {
      Type: 'AWS::Pipes::Pipe',
      Properties: {
        Source: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        SourceParameters: { SqsQueueParameters: { BatchSize: 10, MaximumBatchingWindowInSeconds: 1 } },
        Target: { Ref: 'Ingest' },
        TargetParameters: { StepFunctionStateMachineParameters: { InvocationType: 'FIRE_AND_FORGET' } },
      },
    },
  },
};

describe('local physical names', () => {
  const values = localPhysicalValues(template);

  it('names hilum resources by their metadata and the rest by logical id', () => {
    expect(values.get('Intake')).toEqual({
      ref: 'hilum-intake',
      attrs: {
        Arn: 'arn:aws:s3:::hilum-intake',
        DomainName: 'hilum-intake.s3.amazonaws.com',
        RegionalDomainName: 'hilum-intake.s3.us-east-1.amazonaws.com',
        WebsiteURL: 'http://hilum-intake.s3-website-us-east-1.amazonaws.com',
      },
    });
    expect(values.get('Catalog')?.ref).toBe('hilum-catalog');
    expect(values.get('Bus')).toEqual({
      ref: 'hilum-pipeline',
      attrs: { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/hilum-pipeline', Name: 'hilum-pipeline' },
    });
    expect(values.get('ParseFn')?.ref).toBe('hilum-Parse');
    expect(values.get('Ingest')?.ref).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:hilum-ingest');
    expect(values.get('OnCreated')).toEqual({
      ref: 'hilum-OnCreated',
      attrs: { Arn: 'arn:aws:events:us-east-1:000000000000:rule/hilum-OnCreated' },
    });
    expect(values.get('Key')).toEqual({
      ref: 'local-key-Key',
      attrs: { Arn: 'arn:aws:kms:us-east-1:000000000000:key/local-key-Key', KeyId: 'local-key-Key' },
    });
    expect(values.get('ReleasedNotifications')).toEqual({
      ref: 'hilum-ReleasedNotifications',
      attrs: { Arn: 'arn:aws:local:us-east-1:000000000000:Custom-S3BucketNotifications/hilum-ReleasedNotifications' },
    });
  });

  it('gives a hilum secret an ARN with a random-looking suffix as its Ref and Id', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:hilum/page-cursor-local0';
    expect(values.get('Cursor')).toEqual({ ref: arn, attrs: { Id: arn } });
  });
});

describe('the local model of a template', () => {
  const model = modelOf(template);

  it('reads SQS queues by ARN with their visibility timeout and redrive policy, and pipes from a queue to a state machine', () => {
    const arnOf = (name: string) => `arn:aws:sqs:us-east-1:000000000000:hilum-${name}`;
    expect(model.queues.get(arnOf('Queue'))).toEqual({
      logicalId: 'Queue',
      name: 'hilum-Queue',
      arn: arnOf('Queue'),
      visibilityTimeoutSeconds: 360,
      deadLetter: { arn: arnOf('Dlq'), maxReceiveCount: 5 },
    });
    expect(model.queues.get(arnOf('Dlq'))).toEqual({
      logicalId: 'Dlq',
      name: 'hilum-Dlq',
      arn: arnOf('Dlq'),
      visibilityTimeoutSeconds: 30,
    });
    expect(model.pipes).toEqual([
      {
        logicalId: 'Pipe',
        name: 'hilum-Pipe',
        sourceArn: arnOf('Queue'),
        targetArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:hilum-ingest',
        batchSize: 10,
        windowSeconds: 1,
        invocationType: 'FIRE_AND_FORGET',
        enabled: true,
      },
    ]);
  });

  it('finds buckets by role, which of them send events to EventBridge, their CORS rules and which are SSE-KMS encrypted', () => {
    expect([...model.buckets.values()]).toEqual([
      { role: 'intake', logicalId: 'Intake', name: 'hilum-intake', eventBridge: true, cors: [] },
      {
        role: 'released',
        logicalId: 'Released',
        name: 'hilum-released',
        eventBridge: true,
        cors: [{ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'], MaxAge: 3000 }],
        sseKms: true,
      },
      { role: 'quarantine', logicalId: 'Quarantine', name: 'hilum-quarantine', eventBridge: false, cors: [] },
    ]);
  });

  it('resolves tables, buses and secrets', () => {
    expect(model.tables.get('catalog')).toEqual({
      id: 'catalog',
      logicalId: 'Catalog',
      name: 'hilum-catalog',
      type: 'AWS::DynamoDB::Table',
      properties: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] },
    });
    expect(model.buses.get('pipeline')).toEqual({
      id: 'pipeline',
      logicalId: 'Bus',
      name: 'hilum-pipeline',
      arn: 'arn:aws:events:us-east-1:000000000000:event-bus/hilum-pipeline',
    });
    expect(model.secrets.get('page-cursor')).toEqual({
      id: 'page-cursor',
      logicalId: 'Cursor',
      name: 'hilum/page-cursor',
      arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:hilum/page-cursor-local0',
      generate: { PasswordLength: '64' },
    });
  });

  it('gives functions their entry, resolved environment (as strings) and limits, with Lambda defaults', () => {
    expect(model.functions.get('Parse')).toEqual({
      id: 'Parse',
      logicalId: 'ParseFn',
      entry: 'functions/ingest/parse.ts',
      name: 'hilum-Parse',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:hilum-Parse',
      environment: { INTAKE_BUCKET: 'hilum-intake', KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/local-key-Key', LIMIT: '5' },
      timeoutSeconds: 300,
      memoryMb: 1024,
      reservedConcurrency: 50,
    });
    expect(model.functions.get('Plain')).toMatchObject({ environment: {}, timeoutSeconds: 3, memoryMb: 128 });
    expect(model.functions.get('Plain')).not.toHaveProperty('reservedConcurrency');
  });

  it('resolves a workflow definition string and applies its substitutions', () => {
    expect(model.workflows.get('ingest')).toEqual({
      id: 'ingest',
      logicalId: 'Ingest',
      arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:hilum-ingest',
      name: 'hilum-ingest',
      definition: {
        StartAt: 'P',
        States: {
          P: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:hilum-Parse', Comment: 'hilum-intake', End: true },
        },
      },
      type: 'STANDARD',
      logging: { level: 'OFF', includeExecutionData: false },
    });
  });

  it("reads a workflow's logging level and whether it logs execution data (bench cost prices its log events)", () => {
    const ingest = template.Resources.Ingest!;
    const logged = modelOf({
      ...template,
      Resources: {
        ...template.Resources,
        Ingest: { ...ingest, Properties: { ...ingest.Properties, LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: true } } },
      },
    });
    expect(logged.workflows.get('ingest')?.logging).toEqual({ level: 'ERROR', includeExecutionData: true });
  });

  it('reads how a workflow is billed: STANDARD unless the template says EXPRESS', () => {
    const ingest = template.Resources.Ingest!;
    const express = modelOf({
      ...template,
      Resources: { ...template.Resources, Ingest: { ...ingest, Properties: { ...ingest.Properties, StateMachineType: 'EXPRESS' } } },
    });
    expect(express.workflows.get('ingest')?.type).toBe('EXPRESS');
  });

  it('reads event rules (bus, pattern, state, targets) and rate() schedules; cron() schedules do not run locally', () => {
    expect(model.rules).toEqual([
      {
        logicalId: 'OnCreated',
        name: 'hilum-OnCreated',
        busName: 'default',
        pattern: { source: ['aws.s3'] },
        enabled: true,
        targets: [{ id: 'T1', arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:hilum-ingest', inputPath: '$.detail' }],
      },
      {
        logicalId: 'OnReady',
        name: 'hilum-OnReady',
        busName: 'hilum-pipeline',
        pattern: { 'detail-type': ['Submission Ready'] },
        enabled: false,
        targets: [{ id: 'T2', arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:hilum-ingest', input: '{"a":1}' }],
      },
    ]);
    expect(model.schedules).toEqual([
      {
        logicalId: 'Every15',
        name: 'hilum-Every15',
        everyMs: 15 * 60_000,
        enabled: true,
        targets: [
          { arn: 'arn:aws:lambda:us-east-1:000000000000:function:hilum-Parse', input: { sweep: true } },
          { arn: 'x', input: {} },
        ],
      },
    ]);
  });

  it('refuses a function without hilum:entry and a workflow without a definition', () => {
    const noEntry: CfnTemplate = { Resources: { F: { Type: 'AWS::Lambda::Function', Metadata: { 'hilum:functionId': 'F' } } } };
    expect(() => modelOf(noEntry)).toThrow(new TemplateError('function F (F) has no hilum:entry metadata'));
    const noDefinition: CfnTemplate = {
      Resources: { W: { Type: 'AWS::StepFunctions::StateMachine', Metadata: { 'hilum:workflow': 'w' }, Properties: {} } },
    };
    expect(() => modelOf(noDefinition)).toThrow(/workflow w \(W\) has no definition/);
    const twice: CfnTemplate = {
      Resources: {
        A: { Type: 'AWS::S3::Bucket', Metadata: { 'hilum:bucket': 'x' } },
        B: { Type: 'AWS::S3::Bucket', Metadata: { 'hilum:bucket': 'x' } },
      },
    };
    expect(() => modelOf(twice)).toThrow(/two resources carry hilum:bucket=x: A and B/);
  });
});

describe('schedule and bus helpers', () => {
  it('reads rate() expressions in minutes, hours and days, and nothing else', () => {
    expect(rateMs('rate(1 minute)')).toBe(60_000);
    expect(rateMs(' rate(2 hours) ')).toBe(7_200_000);
    expect(rateMs('rate(1 day)')).toBe(86_400_000);
    expect(rateMs('rate(5 seconds)')).toBeUndefined();
    expect(rateMs('cron(0 2 * * ? *)')).toBeUndefined();
  });

  it('names a bus given by name or ARN', () => {
    expect(busNameOf('arn:aws:events:us-east-1:000000000000:event-bus/hilum-pipeline')).toBe('hilum-pipeline');
    expect(busNameOf('default')).toBe('default');
  });
});
