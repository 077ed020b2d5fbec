import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, FunctionKey } from '../../functions/registry';
import { PLATFORM_ERRORS, RESOURCE_LIMIT_ERRORS, TRANSIENT_ERRORS } from '../../layers/pipeline/task-errors';
import { FHIR_EXPORT_REQUESTED, INTAKE_REDRIVE, PIPELINE_EVENT_SOURCE, SUBMISSION_READY } from '../../layers/pipeline/events';
import {
  BATCHED_OBJECT_BYTES,
  INGEST_BATCH_WINDOW_SECONDS,
  LARGE_OBJECT_BYTES,
  SUBMISSION_EXPRESS_MAX_FILES,
} from '../../infra/constructs/pipeline';
import { INGEST_BATCH_MAX_OBJECTS } from '../../layers/pipeline/ingest-states';
import { matchesPattern } from '../../local/event-bus';
import { CfnResource, Json, Synthesized, byMetadata, functionLogicalId, renderDefinition, synthCommons } from './synth';

// asl-validator ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText(separator?: string): string };

interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: Json;
  Retry?: Json[];
  Catch?: Json[];
  ResultPath?: string;
  ResultSelector?: Json;
  InputPath?: string;
  Choices?: Json[];
  Default?: string;
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
  QueryLanguage?: string;
}

let s: Synthesized;
let ingest: Definition;
let ingestBatch: Definition;
let submission: Definition;
const functionIdOfLogicalId = new Map<string, string>();

beforeAll(() => {
  s = synthCommons();
  const definitionOf = (workflow: string): Definition =>
    renderDefinition(byMetadata(s.resources, 'hilum:workflow', workflow)[1].Properties?.DefinitionString) as unknown as Definition;
  ingest = definitionOf('ingest');
  ingestBatch = definitionOf('ingest-batch');
  submission = definitionOf('submission');
  for (const [logicalId, r] of Object.entries(s.resources)) {
    const id = r.Metadata?.['hilum:functionId'];
    if (typeof id === 'string') functionIdOfLogicalId.set(logicalId, id);
  }
});

const tasksOf = (d: Definition): [string, State][] => Object.entries(d.States).filter(([, st]) => st.Type === 'Task');
const invokedFunction = (st: State): string | undefined => functionIdOfLogicalId.get(functionLogicalId(st.Parameters?.FunctionName));
const expectedRetry = { ErrorEquals: [...TRANSIENT_ERRORS], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3 };
const resourceLimitRetry = { ErrorEquals: [...RESOURCE_LIMIT_ERRORS], IntervalSeconds: 5, MaxAttempts: 1 };
const INGEST_PROCESSING = ['IngestObject'];
/** The ingest queue: the target of the rule for small objects, the pipe's source. */
const ingestQueueId = () => {
  const pipe = Object.values(s.resources).find((r) => r.Type === 'AWS::Pipes::Pipe');
  return (pipe?.Properties?.Source as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
};

describe('event rules', () => {
  it.each([
    ['ingest', { numeric: ['>=', BATCHED_OBJECT_BYTES, '<', LARGE_OBJECT_BYTES] }],
    ['ingest-large', { numeric: ['>=', LARGE_OBJECT_BYTES] }],
  ])(
    'starts the %s workflow for S3 Object Created events under intake/ of the intake bucket, by size, from the default bus',
    (workflow, size) => {
      const [intakeId] = byMetadata(s.resources, 'hilum:bucket', 'intake');
      const [ingestId] = byMetadata(s.resources, 'hilum:workflow', workflow);
      s.template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.absent(),
        EventPattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: { bucket: { name: [{ Ref: intakeId }] }, object: { key: [{ prefix: 'intake/' }], size: [size] } },
        },
        Targets: [
          Match.objectLike({
            Arn: { Ref: ingestId },
            DeadLetterConfig: { Arn: Match.anyValue() },
            RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
          }),
        ],
      });
    },
  );

  it('queues S3 Object Created events of objects below BATCHED_OBJECT_BYTES under intake/ for the batch ingest', () => {
    const [intakeId] = byMetadata(s.resources, 'hilum:bucket', 'intake');
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [{ Ref: intakeId }] },
          object: { key: [{ prefix: 'intake/' }], size: [{ numeric: ['<', BATCHED_OBJECT_BYTES] }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [ingestQueueId(), 'Arn'] },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
        }),
      ],
    });
  });

  it('keeps the ingest queue KMS-encrypted with a dead-letter queue, hiding a received batch longer than its workflow may run', () => {
    const queue = s.resources[ingestQueueId()]!.Properties!;
    const [, batch] = byMetadata(s.resources, 'hilum:workflow', 'ingest-batch');
    const timeout = (renderDefinition(batch.Properties?.DefinitionString) as unknown as { TimeoutSeconds: number }).TimeoutSeconds;
    expect(queue.KmsMasterKeyId).toEqual(expect.anything());
    expect(queue.VisibilityTimeout).toBeGreaterThan(timeout);
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] }, maxReceiveCount: 5 });
  });

  it("alarms when the ingest queue's oldest message has waited half the reconciler's grace (which would re-drive it)", () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ingestQueueId(), 'QueueName'] } }],
      Threshold: 450,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [Match.anyValue()],
    });
  });

  it('pipes the ingest queue to the ingest-batch workflow in batches of INGEST_BATCH_MAX_OBJECTS, starting each execution and forgetting it', () => {
    const [batchId] = byMetadata(s.resources, 'hilum:workflow', 'ingest-batch');
    const pipes = Object.values(s.resources).filter((r) => r.Type === 'AWS::Pipes::Pipe');
    expect(pipes).toHaveLength(1);
    expect(pipes[0]!.Properties).toMatchObject({
      Source: { 'Fn::GetAtt': [ingestQueueId(), 'Arn'] },
      SourceParameters: {
        SqsQueueParameters: { BatchSize: INGEST_BATCH_MAX_OBJECTS, MaximumBatchingWindowInSeconds: INGEST_BATCH_WINDOW_SECONDS },
      },
      Target: { Ref: batchId },
      TargetParameters: { StepFunctionStateMachineParameters: { InvocationType: 'FIRE_AND_FORGET' } },
    });
    expect(INGEST_BATCH_MAX_OBJECTS).toBe(10);
  });

  it("lets the pipe's role receive and delete the queue's messages, decrypt them and start the one state machine, nothing more", () => {
    const [batchId] = byMetadata(s.resources, 'hilum:workflow', 'ingest-batch');
    const pipe = Object.values(s.resources).find((r) => r.Type === 'AWS::Pipes::Pipe')!;
    const role = (pipe.Properties?.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(s.resources[role]?.Properties?.AssumeRolePolicyDocument).toMatchObject({
      Statement: [expect.objectContaining({ Principal: { Service: 'pipes.amazonaws.com' } })],
    });
    const statements = Object.values(s.resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(role))
      .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Json[] }).Statement);
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: { 'Fn::GetAtt': [ingestQueueId(), 'Arn'] },
      }),
      expect.objectContaining({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } }),
      expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: batchId } }),
    ]);
  });

  it('runs the batch and per-object ingests as Express workflows of at most 5 minutes, the large-object and re-drive twin as a Standard one', () => {
    const [, express] = byMetadata(s.resources, 'hilum:workflow', 'ingest');
    const [, batch] = byMetadata(s.resources, 'hilum:workflow', 'ingest-batch');
    const [, standard] = byMetadata(s.resources, 'hilum:workflow', 'ingest-large');
    expect(express.Properties?.StateMachineType).toBe('EXPRESS');
    expect(batch.Properties?.StateMachineType).toBe('EXPRESS');
    expect(standard.Properties?.StateMachineType).toBe('STANDARD');
    // The same states in both: only how they are billed and how long they may run differ.
    const definition = (r: CfnResource) =>
      renderDefinition(r.Properties?.DefinitionString) as unknown as { States: object; TimeoutSeconds?: number };
    expect(Object.keys(definition(express).States)).toEqual(Object.keys(definition(standard).States));
    expect(definition(express).TimeoutSeconds).toBe(300);
    expect(definition(batch).TimeoutSeconds).toBe(300);
    // The other workflows but the submission's (whose types follow its size: asserted with its rules) are Standard.
    for (const [, other] of Object.entries(s.resources).filter(
      ([, r]) =>
        r.Type === 'AWS::StepFunctions::StateMachine' &&
        r !== express &&
        r !== batch &&
        !String(r.Metadata?.['hilum:workflow']).startsWith('submission'),
    )) {
      expect(other.Properties?.StateMachineType).toBe('STANDARD');
    }
  });

  it.each([
    ['submission', 'EXPRESS', { fileCount: [{ numeric: ['<=', SUBMISSION_EXPRESS_MAX_FILES] }], redrive: [false] }],
    ['submission-large', 'STANDARD', { $or: [{ fileCount: [{ numeric: ['>', SUBMISSION_EXPRESS_MAX_FILES] }] }, { redrive: [true] }] }],
  ])(
    "starts the %s workflow (%s) for Submission Ready events on the hilum bus by file count, the reconciler's to the Standard one",
    (workflow, type, detail) => {
      const [busId] = byMetadata(s.resources, 'hilum:eventBus', 'pipeline');
      const [submissionId, submission] = byMetadata(s.resources, 'hilum:workflow', workflow);
      expect(submission.Properties?.StateMachineType).toBe(type);
      s.template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: busId },
        EventPattern: { source: [PIPELINE_EVENT_SOURCE], 'detail-type': [SUBMISSION_READY], detail },
        Targets: [
          Match.objectLike({ Arn: { Ref: submissionId }, DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: Match.anyValue() }),
        ],
      });
    },
  );

  it('runs the Express submission workflow for at most 5 minutes, with the same states as its Standard twin', () => {
    const definition = (workflow: string) =>
      renderDefinition(byMetadata(s.resources, 'hilum:workflow', workflow)[1].Properties?.DefinitionString) as unknown as {
        States: object;
        TimeoutSeconds?: number;
      };
    expect(definition('submission').TimeoutSeconds).toBe(300);
    expect(Object.keys(definition('submission').States)).toEqual(Object.keys(definition('submission-large').States));
  });

  it('routes every Submission Ready to exactly one submission workflow: Express up to the limit, Standard above it or when re-announced', () => {
    const rules = Object.values(s.template.findResources('AWS::Events::Rule')) as unknown as {
      Properties: { EventPattern?: Record<string, unknown>; Targets: { Arn: { Ref?: string } }[] };
    }[];
    const [expressId] = byMetadata(s.resources, 'hilum:workflow', 'submission');
    const [standardId] = byMetadata(s.resources, 'hilum:workflow', 'submission-large');
    const targetsOf = (fileCount: number, redrive: boolean) => {
      const event = { source: PIPELINE_EVENT_SOURCE, 'detail-type': SUBMISSION_READY, detail: { submissionId: 's', fileCount, redrive } };
      return rules
        .filter((r) => r.Properties.EventPattern && matchesPattern(r.Properties.EventPattern, event))
        .flatMap((r) => r.Properties.Targets.map((t) => t.Arn.Ref));
    };
    for (const fileCount of [1, SUBMISSION_EXPRESS_MAX_FILES]) {
      expect(targetsOf(fileCount, false)).toEqual([expressId]);
      expect(targetsOf(fileCount, true)).toEqual([standardId]);
    }
    for (const redrive of [false, true]) expect(targetsOf(SUBMISSION_EXPRESS_MAX_FILES + 1, redrive)).toEqual([standardId]);
  });

  it("has one schedule, the reconciler's: never-received files are marked missing by it, no separate sweep", () => {
    const [reconcileId] = byMetadata(s.resources, 'hilum:functionId', FUNCTIONS.reconcile.id);
    const scheduled = Object.values(
      s.template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }),
    );
    expect(scheduled.map((r) => (r as { Properties: { Targets: { Arn: unknown }[] } }).Properties.Targets.map((t) => t.Arn))).toEqual([
      [{ 'Fn::GetAtt': [reconcileId, 'Arn'] }],
    ]);
  });

  it('gives each target its own KMS-encrypted, TLS-only dead-letter queue, and so the ingest queue', () => {
    // One per rule's target, some shared (the ingest rules' and the redrive's is one); besides them the ingest queue and its own.
    const queues = rulesWithDeadLetters() + 2;
    s.template.resourceCountIs('AWS::SQS::Queue', queues);
    s.template.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    s.template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      },
      queues,
    );
  });

  it('runs the reconciler every 15 minutes with its grace period and a dead-letter queue', () => {
    const [reconcileId] = byMetadata(s.resources, 'hilum:functionId', FUNCTIONS.reconcile.id);
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [reconcileId, 'Arn'] },
          Input: JSON.stringify({ graceSeconds: 900 }),
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: Match.anyValue(),
        }),
      ],
    });
  });

  it('starts the Standard ingest workflow for an intake object the reconciler re-drives on the hilum bus', () => {
    const [busId] = byMetadata(s.resources, 'hilum:eventBus', 'pipeline');
    const [ingestId] = byMetadata(s.resources, 'hilum:workflow', 'ingest-large');
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: {
        source: [PIPELINE_EVENT_SOURCE],
        'detail-type': [INTAKE_REDRIVE],
        detail: { object: { key: [{ prefix: 'intake/' }] } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: ingestId }, DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
  });

  it('alarms when files stay stuck through two reconciler runs', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'hilum',
      MetricName: 'StuckFiles',
      Dimensions: [{ Name: 'service', Value: 'hilum' }],
      Statistic: 'Maximum',
      Period: 900,
      EvaluationPeriods: 2,
      Threshold: 1,
      AlarmActions: [Match.anyValue()],
    });
  });

  it('lets the reconciler list and delete in intake, released and quarantine, and put events on the hilum bus', () => {
    const [reconcileId] = byMetadata(s.resources, 'hilum:functionId', FUNCTIONS.reconcile.id);
    const role = (s.resources[reconcileId]?.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = JSON.stringify(
      Object.values(s.resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(role))
        .map((r) => r.Properties?.PolicyDocument),
    );
    for (const action of ['s3:List*', 's3:DeleteObject*', 'events:PutEvents', 'dynamodb:Query']) expect(statements).toContain(action);
    // Quarantine copies of files staged after all (a Quarantine killed before its outcome write) are its to delete.
    for (const bucket of ['intake', 'released', 'quarantine'])
      expect(statements).toContain(byMetadata(s.resources, 'hilum:bucket', bucket)[0]);
  });
});

describe('state machines', () => {
  it.each([
    ['ingest', 'ERROR'],
    ['ingest-batch', 'ERROR'],
    ['ingest-large', 'ERROR'],
    ['submission', 'ERROR'],
    ['submission-large', 'ALL'],
    ['evaluation', 'ALL'],
    ['fhir-export', 'ALL'],
  ])(
    'the %s workflow logs at %s with its execution data to a KMS-encrypted group and is traced (per object: failures only, for cost)',
    (workflow, level) => {
      const [, sm] = byMetadata(s.resources, 'hilum:workflow', workflow);
      expect(sm.Properties).toMatchObject({
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: level, IncludeExecutionData: true },
      });
      const dest = JSON.stringify(sm.Properties?.LoggingConfiguration);
      const groupId = /"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/.exec(dest)?.[1];
      expect(s.resources[groupId ?? '']).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: expect.anything() } });
    },
  );

  it('renders JSONPath only (the local runner ignores JSONata)', () => {
    for (const d of [ingest, ingestBatch, submission]) {
      expect(d.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
      for (const st of Object.values(d.States)) expect((st as unknown as Json).QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    }
  });

  it.each([
    ['ingest', () => ingest],
    ['ingest-batch', () => ingestBatch],
    ['submission', () => submission],
  ] as const)('the %s definition is valid ASL', (_name, get) => {
    const result = aslValidator(get());
    if (!result.isValid) throw new Error(result.errorsText('\n'));
    expect(result.isValid).toBe(true);
  });

  it.each([
    ['ingest', () => ingest],
    ['submission', () => submission],
  ] as const)('every %s task invokes its function through lambda:invoke, retries transient errors and catches everything', (_name, get) => {
    const d = get();
    for (const [name, st] of tasksOf(d)) {
      expect(st.Resource).toBe('arn:aws:states:::lambda:invoke');
      expect(st.Parameters?.FunctionName).toEqual(expect.stringContaining(':function:'));
      // Ingest processing tasks and every (idempotent) submission task try once more after running out of time or memory.
      expect(st.Retry).toEqual(
        d === submission || (d === ingest && INGEST_PROCESSING.includes(name)) ? [expectedRetry, resourceLimitRetry] : [expectedRetry],
      );
      // The last catch takes everything; an ingest processing task may first send platform errors to PipelineFault
      // (and name the resource-limit errors it quarantines).
      const c = st.Catch!.at(-1);
      expect(c).toMatchObject({ ErrorEquals: ['States.ALL'] });
      for (const earlier of st.Catch!.slice(0, -1)) {
        if (earlier.Next !== c!.Next) expect(d.States[String(earlier.Next)]?.Type).toBe('Fail');
      }
      const target = d.States[String(c!.Next)];
      expect(`${name} -> ${String(c!.Next)}: ${target?.Type}`).toMatch(/: (Task|Fail)$/);
      if (target?.Type === 'Task') expect(invokedFunction(target)).toBe(FUNCTIONS.quarantine.id);
    }
  });
});

describe('ingest definition follows layers/pipeline/ingest-states.ts', () => {
  const taskFunctions: Record<string, FunctionKey> = {
    IngestObject: 'ingestObject',
    Quarantine: 'quarantine',
    QuarantineForQa: 'quarantine',
  };

  it('has exactly one processing task and the two quarantines, each invoking its registry function', () => {
    expect(
      tasksOf(ingest)
        .map(([n]) => n)
        .sort(),
    ).toEqual(Object.keys(taskFunctions).sort());
    for (const [name, st] of tasksOf(ingest)) expect(invokedFunction(st)).toBe(FUNCTIONS[taskFunctions[name]!].id);
    expect(ingest.StartAt).toBe('IngestObject');
  });

  it('sends platform errors to PipelineFault, running out of memory or time and other processing errors into $.error and Quarantine, and quarantine failures into QuarantineFailed', () => {
    for (const name of INGEST_PROCESSING) {
      expect(ingest.States[name]!.Catch).toEqual([
        { ErrorEquals: [...PLATFORM_ERRORS], ResultPath: '$.error', Next: 'PipelineFault' },
        { ErrorEquals: [...RESOURCE_LIMIT_ERRORS], ResultPath: '$.error', Next: 'Quarantine' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Quarantine' },
      ]);
    }
    expect(ingest.States.PipelineFault?.Type).toBe('Fail');
    expect(PLATFORM_ERRORS).not.toContain('DicomParseError');
    for (const name of RESOURCE_LIMIT_ERRORS) expect(PLATFORM_ERRORS as readonly string[]).not.toContain(name);
    for (const name of ['Quarantine', 'QuarantineForQa']) {
      expect(ingest.States[name]!.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'QuarantineFailed' })]);
      expect(ingest.States[name]!.Parameters?.['Payload.$']).toBe('$');
    }
    expect(ingest.States.QuarantineFailed?.Type).toBe('Fail');
  });

  it('IngestObject sends its contract payload (the object of the event) and its result lands at $.ingest', () => {
    const task = ingest.States.IngestObject!;
    expect(task.Parameters?.Payload).toEqual({ 'bucket.$': '$.detail.bucket.name', 'key.$': '$.detail.object.key' });
    expect(task.ResultSelector).toEqual({ 'Payload.$': '$.Payload' });
    expect(task.ResultPath).toBe('$.ingest');
    const unwrap = ingest.States[task.Next!]!;
    expect(unwrap).toMatchObject({ Type: 'Pass', InputPath: '$.ingest.Payload', ResultPath: '$.ingest' });
  });

  it('routes on $.ingest.outcome: quarantine to QuarantineForQa, already-handled and staged to their Succeed states', () => {
    expect(ingest.States.IngestObjectResult?.Next).toBe('Outcome?');
    const outcome = ingest.States['Outcome?']!;
    expect(outcome.Choices).toEqual([
      { Variable: '$.ingest.outcome', StringEquals: 'quarantine', Next: 'QuarantineForQa' },
      { Variable: '$.ingest.outcome', StringEquals: 'already-handled', Next: 'SkipAlreadyHandled' },
    ]);
    expect(ingest.States.SkipAlreadyHandled?.Type).toBe('Succeed');
    expect(outcome.Default).toBe('Staged');
    expect(ingest.States.Staged?.Type).toBe('Succeed');
  });

  it('runs one task, IngestObject, then Succeed on the happy path', () => {
    const path: string[] = [];
    let at: string | undefined = ingest.StartAt;
    while (at) {
      path.push(at);
      const st: State = ingest.States[at]!;
      at = st.Type === 'Choice' ? st.Default : st.Next;
    }
    expect(path.filter((n) => ingest.States[n]!.Type === 'Task')).toEqual(['IngestObject']);
    expect(ingest.States[path[path.length - 1]!]!.Type).toBe('Succeed');
  });
});

describe('submission definition follows layers/pipeline/submission-states.ts', () => {
  it('runs study QA, indexes, publishes, stores the QA report and rebuilds the search snapshot for the submission of the event, failing to SubmissionFailed', () => {
    expect(submission.StartAt).toBe('StudyQa');
    expect(tasksOf(submission).map(([n, st]) => [n, invokedFunction(st)])).toEqual([
      ['StudyQa', FUNCTIONS.studyQa.id],
      ['IndexSubmission', FUNCTIONS.indexSubmission.id],
      ['PublishSubmission', FUNCTIONS.publishSubmission.id],
      ['QaReport', FUNCTIONS.qaReport.id],
      ['RebuildSnapshot', FUNCTIONS.rebuildSnapshot.id],
    ]);
    for (const [name, key] of [
      ['StudyQa', 'studyQa'],
      ['IndexSubmission', 'index'],
      ['PublishSubmission', 'publish'],
      ['QaReport', 'report'],
      ['RebuildSnapshot', 'snapshot'],
    ] as const) {
      const task = submission.States[name]!;
      expect(task.Parameters?.Payload).toEqual({ 'submissionId.$': '$.detail.submissionId' });
      expect(task.ResultPath).toBe(`$.${key}`);
      expect(submission.States[task.Next!]).toMatchObject({ Type: 'Pass', InputPath: `$.${key}.Payload`, ResultPath: `$.${key}` });
      expect(task.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'SubmissionFailed' }]);
    }
    expect(submission.States.StudyQaResult?.Next).toBe('IndexSubmission');
    expect(submission.States.IndexSubmissionResult?.Next).toBe('PublishSubmission');
    expect(submission.States.PublishSubmissionResult?.Next).toBe('QaReport');
    expect(submission.States.QaReportResult?.Next).toBe('RebuildSnapshot');
    expect(submission.States.SubmissionFailed?.Type).toBe('Fail');
  });
});

/** Distinct dead-letter queues of the event rules' targets. */
function rulesWithDeadLetters(): number {
  const arns = Object.values(s.template.findResources('AWS::Events::Rule')).flatMap((r) =>
    ((r as { Properties: { Targets?: { DeadLetterConfig?: { Arn: unknown } }[] } }).Properties.Targets ?? []).map((t) =>
      JSON.stringify(t.DeadLetterConfig?.Arn ?? null),
    ),
  );
  return new Set(arns.filter((a) => a !== 'null')).size;
}

describe('the FHIR export workflow (docs/fhir.md)', () => {
  let fhirExport: Definition;
  beforeAll(() => {
    fhirExport = renderDefinition(
      byMetadata(s.resources, 'hilum:workflow', 'fhir-export')[1].Properties?.DefinitionString,
    ) as unknown as Definition;
  });

  it('is started by FHIR Export Requested events on the hilum bus', () => {
    const [busId] = byMetadata(s.resources, 'hilum:eventBus', 'pipeline');
    const [workflowId] = byMetadata(s.resources, 'hilum:workflow', 'fhir-export');
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: { source: [PIPELINE_EVENT_SOURCE], 'detail-type': [FHIR_EXPORT_REQUESTED] },
      Targets: [Match.objectLike({ Arn: { Ref: workflowId }, DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: Match.anyValue() })],
    });
  });

  it('is valid ASL: FhirExport with the job of the event, retried, everything caught by RecordExportFailure (the same function), then Fail', () => {
    const result = aslValidator(fhirExport);
    if (!result.isValid) throw new Error(result.errorsText('\n'));
    const tasks = tasksOf(fhirExport);
    expect(tasks.map(([n]) => n)).toEqual(['FhirExport', 'RecordExportFailure']);
    const [[, task], [, record]] = tasks as [[string, State], [string, State]];
    expect(invokedFunction(task)).toBe(FUNCTIONS.fhirExport.id);
    expect(task.Parameters?.Payload).toEqual({ 'jobId.$': '$.detail.jobId' });
    expect(task.Retry).toEqual([expectedRetry, resourceLimitRetry]);
    expect(task.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordExportFailure' }]);
    expect(invokedFunction(record)).toBe(FUNCTIONS.fhirExport.id);
    expect(record.Parameters?.Payload).toEqual({ 'jobId.$': '$.detail.jobId', 'errorName.$': '$.error.Error' });
    expect(record.Retry).toEqual([expectedRetry]);
    expect(record.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'ExportFailed' })]);
    expect(record.Next).toBe('ExportFailed');
    expect(fhirExport.States.ExportFailed?.Type).toBe('Fail');
  });
});
