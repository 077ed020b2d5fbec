import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { INTAKE_PREFIX } from '../../layers/pipeline/object-keys';
import { FHIR_EXPORT_REQUESTED, INTAKE_REDRIVE, PIPELINE_EVENT_SOURCE, SUBMISSION_READY } from '../../layers/pipeline/events';
import { FhirExportFunctions, fhirExportDefinition } from '../../workflows/fhir-export';
import { ingestDefinition } from '../../workflows/ingest';
import { IngestBatchFunctions, ingestBatchDefinition } from '../../workflows/ingest-batch';
import { INGEST_BATCH_MAX_OBJECTS } from '../../layers/pipeline/ingest-states';
import { SubmissionFunctions, submissionDefinition } from '../../workflows/submission';
import { EvaluationFunctions, evaluationDefinition } from '../../workflows/evaluation';
import { EVALUATION_REQUESTED } from '../../layers/pipeline/evaluation-states';
import { INLINE_POLICY_REASON, POWERTOOLS_METRICS_NAMESPACE } from './hilum-function';
import { META, describe, logicalIdOf } from './metadata';
import { Observability } from './observability';

/**
 * Objects this large or larger are ingested by the Standard workflow: IngestObject's work on a
 * 128 MiB object stays well inside an Express execution's 5 minutes, on a larger one it may not.
 */
export const LARGE_OBJECT_BYTES = 128 * 1024 * 1024;

/**
 * Objects below this size are ingested in batches (S3 event -> SQS -> EventBridge Pipe -> `ingest-batch`):
 * a batch of INGEST_BATCH_MAX_OBJECTS of them is at most 160 MiB of reads for one IngestBatch invocation,
 * about what one object near LARGE_OBJECT_BYTES costs, inside an Express execution's 5 minutes. Objects
 * from this size up to LARGE_OBJECT_BYTES keep an Express execution of their own (`ingest`).
 */
export const BATCHED_OBJECT_BYTES = 16 * 1024 * 1024;

/**
 * How long the pipe waits to fill a batch. Under load a batch of INGEST_BATCH_MAX_OBJECTS fills well within
 * it (a CT series uploads tens of slices a second); a trickle waits at most this long (and SQS's poll, up
 * to 20 s at low traffic, AWS says) for fewer objects. Longer windows save nothing at load and delay
 * every quiet upload.
 */
export const INGEST_BATCH_WINDOW_SECONDS = 1;

/** The ingest-batch workflow's timeout (Express: at most 5 minutes); the queue hides a received message longer than this. */
const INGEST_BATCH_TIMEOUT = Duration.minutes(5);

/**
 * Why the per-object workflows log failures only (ERROR, with their data), not every state (ALL). At ALL
 * an Express execution that stages a CT slice writes 13 history events, ten with the state's data
 * escaped: about 25 KB, $0.012 per 1,000 objects at $0.50 per GB (`npm run bench cost`; docs/ingest-scale.md,
 * "CloudWatch Logs"), 40% of the $0.03 target. An object's path stays readable without them: its file
 * record and `GET /submissions/{id}`, the quarantine record with its reason, IngestObject's own log lines
 * (submission and file ids), X-Ray's sampled traces, and for `ingest-large` the execution
 * history Step Functions keeps itself; every failure is still logged with its data.
 */
export const PER_OBJECT_LOG_LEVEL_REASON =
  'The per-object workflows log ERROR with execution data: ALL would write about 25 KB per object (13 history events with their data), ' +
  '$0.012 per 1,000 objects, 40% of the $0.03 cost target (docs/ingest-scale.md). Failures are still logged with their data; ' +
  "a successful object's path is in its catalog record, IngestObject's logs, X-Ray, and for ingest-large the execution history.";

/**
 * Ready submissions of at most this many files run in the Express submission workflow (at most 5 minutes),
 * larger ones in the Standard one. Locally, on a 2-core machine loaded 7-10x over, its execution took 12 ms
 * per file for one CT series of 200 slices, and for one-image studies (IndexSubmission, StudyQa and
 * PublishSubmission work study by study) 56 ms per file at 200 and 121 ms at 1,000: 500 such studies stay
 * about 5x inside the limit, leaving room for AWS's slower calls and cold starts. Above it the Standard
 * run's 11 transitions cost less than $0.00055 per 1,000 files (docs/ingest-scale.md). An execution that
 * still runs out of time fails; the reconciler announces the submission again, to the Standard workflow.
 */
export const SUBMISSION_EXPRESS_MAX_FILES = 500;

/**
 * Why the Express submission workflow logs failures only (ERROR, with their data): at ALL an execution writes
 * 39 history events with their data, 35-43 KB (a 20-slice and a 10-radiograph submission): 4.3 KB per file
 * at 10 files, $0.002 per 1,000 instances (docs/ingest-scale.md). A submission's path stays readable without
 * them: its record (`GET /submissions/{id}`: published, completion), its QA report, each task's log line and
 * X-Ray. The Standard twin, for large submissions, keeps ALL: per file it costs little there.
 */
export const SUBMISSION_LOG_LEVEL_REASON =
  'The Express submission workflow logs ERROR with execution data: ALL would write 35-43 KB per submission, ' +
  "$0.002 per 1,000 instances at 10 files (docs/ingest-scale.md). Failures are still logged with their data; a submission's path " +
  "is in its record and QA report, its tasks' logs and X-Ray.";

export interface PipelineProps {
  readonly intakeBucket: s3.IBucket;
  /** `reconcile` runs on a schedule (stuck files re-driven, never-received files marked `missing`, ready submissions announced, orphans deleted). */
  readonly functions: IngestBatchFunctions &
    SubmissionFunctions &
    EvaluationFunctions &
    FhirExportFunctions & { readonly reconcile: lambda.IFunction };
  readonly observability: Observability;
  /** How often the reconciler runs (default 15 minutes); it acts on objects older than `reconcileGrace` (default 15 minutes). */
  readonly reconcileEvery?: Duration;
  readonly reconcileGrace?: Duration;
}

/**
 * The event-driven pipeline: the hilum event bus, the ingest and submission state
 * machines (logged to KMS-encrypted log groups, traced with X-Ray), and the two
 * rules that start them, each with a retry policy and a dead-letter queue.
 */
export class Pipeline extends Construct {
  readonly bus: events.EventBus;
  /** Per object, Express: objects from BATCHED_OBJECT_BYTES to below LARGE_OBJECT_BYTES, from S3's events. */
  readonly ingest: sfn.StateMachine;
  /** Per batch of up to INGEST_BATCH_MAX_OBJECTS objects below BATCHED_OBJECT_BYTES, Express, started by `ingestPipe`. */
  readonly ingestBatch: sfn.StateMachine;
  /** S3's events of objects below BATCHED_OBJECT_BYTES wait here for the pipe (KMS, TLS only, a dead-letter queue). */
  readonly ingestQueue: sqs.Queue;
  readonly ingestPipe: pipes.CfnPipe;
  /** The same definition, Standard: large objects (an Express execution ends at 5 minutes) and the reconciler's re-drives. */
  readonly ingestLarge: sfn.StateMachine;
  readonly ingestLargeRule: events.Rule;
  /** Per submission, Express: ready submissions of up to SUBMISSION_EXPRESS_MAX_FILES files. */
  readonly submission: sfn.StateMachine;
  /** The same definition, Standard: larger submissions and the reconciler's announcements. */
  readonly submissionLarge: sfn.StateMachine;
  readonly evaluation: sfn.StateMachine;
  readonly fhirExport: sfn.StateMachine;
  readonly ingestRule: events.Rule;
  /** S3's events of objects below BATCHED_OBJECT_BYTES to `ingestQueue`. */
  readonly ingestBatchRule: events.Rule;
  readonly submissionRule: events.Rule;
  readonly submissionLargeRule: events.Rule;
  readonly redriveRule: events.Rule;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { observability: obs, functions } = props;

    this.bus = new events.EventBus(this, 'Bus', { description: 'hilum pipeline events (Submission Ready, ...)' });
    describe(this.bus, META.eventBus, 'pipeline');

    // One object's ingest is one task of a few seconds at most: an Express execution bills it per request
    // and duration, where a Standard one bills each state transition (docs/ingest-scale.md).
    // Express runs at least once and for at most 5 minutes: every task is idempotent, and what an
    // Express execution cannot finish (a large object, a timeout) the Standard twin takes.
    const ingestFunctions = [functions.ingestObject, functions.quarantine];
    const ingestBatchScope = new Construct(this, 'IngestBatch');
    this.ingestBatch = this.stateMachine(
      ingestBatchScope,
      'ingest-batch',
      ingestBatchDefinition(ingestBatchScope, functions),
      INGEST_BATCH_TIMEOUT,
      obs,
      [functions.ingestBatch, ...ingestFunctions],
      sfn.StateMachineType.EXPRESS,
      sfn.LogLevel.ERROR,
    );
    const ingestScope = new Construct(this, 'Ingest');
    this.ingest = this.stateMachine(
      ingestScope,
      'ingest',
      ingestDefinition(ingestScope, functions),
      Duration.minutes(5),
      obs,
      ingestFunctions,
      sfn.StateMachineType.EXPRESS,
      sfn.LogLevel.ERROR,
    );
    const ingestLargeScope = new Construct(this, 'IngestLarge');
    this.ingestLarge = this.stateMachine(
      ingestLargeScope,
      'ingest-large',
      ingestDefinition(ingestLargeScope, functions),
      Duration.hours(1),
      obs,
      ingestFunctions,
      sfn.StateMachineType.STANDARD,
      sfn.LogLevel.ERROR,
    );
    // A submission's five tasks take seconds for hundreds of files: Express bills one request and its duration
    // where Standard bills 11 transitions (docs/ingest-scale.md). A large submission, or one the reconciler
    // announces again (its workflow did not finish: perhaps it outlasted Express's 5 minutes), runs in Standard.
    const submissionFunctions = [
      functions.studyQa,
      functions.indexSubmission,
      functions.publishSubmission,
      functions.qaReport,
      functions.rebuildSnapshot,
    ];
    const submissionScope = new Construct(this, 'Submission');
    this.submission = this.stateMachine(
      submissionScope,
      'submission',
      submissionDefinition(submissionScope, functions),
      Duration.minutes(5),
      obs,
      submissionFunctions,
      sfn.StateMachineType.EXPRESS,
      sfn.LogLevel.ERROR,
      SUBMISSION_LOG_LEVEL_REASON,
    );
    const submissionLargeScope = new Construct(this, 'SubmissionLarge');
    this.submissionLarge = this.stateMachine(
      submissionLargeScope,
      'submission-large',
      submissionDefinition(submissionLargeScope, functions),
      Duration.hours(2),
      obs,
      submissionFunctions,
    );

    // Model evaluation on sequestered data (docs/evaluation.md): the Map fans the cases out to ScoreCase.
    const evaluationScope = new Construct(this, 'Evaluation');
    this.evaluation = this.stateMachine(
      evaluationScope,
      'evaluation',
      evaluationDefinition(evaluationScope, functions),
      Duration.hours(2),
      obs,
      [functions.evaluationCases, functions.scoreCase, functions.aggregateEvaluation],
    );

    // FHIR Bulk Data exports (docs/fhir.md): the kick-off announces a job; this workflow builds its files.
    const fhirExportScope = new Construct(this, 'FhirExport');
    this.fhirExport = this.stateMachine(
      fhirExportScope,
      'fhir-export',
      fhirExportDefinition(fhirExportScope, functions),
      Duration.hours(1),
      obs,
      [functions.fhirExport],
    );

    // S3 "Object Created" events for uploads only (not the work/ copies) arrive on the default bus.
    const ingestDlq = obs.deadLetterQueue(this, 'IngestTargetDlq');
    const intakeObjectCreated = (size: Record<string, unknown>): events.EventPattern => ({
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: {
        bucket: { name: [props.intakeBucket.bucketName] },
        object: { key: events.Match.prefix(INTAKE_PREFIX), size: [size] },
      },
    });
    // Small objects queue for the pipe, which starts one ingest-batch execution per batch of them.
    const ingestQueueDlq = obs.deadLetterQueue(this, 'IngestQueueDlq');
    this.ingestQueue = new sqs.Queue(this, 'IngestQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: obs.key,
      enforceSSL: true,
      // The pipe deletes a batch once its execution started; a message it could not hand on shows again after this.
      visibilityTimeout: INGEST_BATCH_TIMEOUT.plus(Duration.minutes(1)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: ingestQueueDlq, maxReceiveCount: 5 },
    });
    this.ingestBatchRule = new events.Rule(this, 'IntakeObjectCreated', {
      description: `Queues for the batch ingest each object uploaded under intake/ smaller than ${BATCHED_OBJECT_BYTES} bytes`,
      eventPattern: intakeObjectCreated({ numeric: ['<', BATCHED_OBJECT_BYTES] }),
      targets: [new targets.SqsQueue(this.ingestQueue, { deadLetterQueue: ingestDlq, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
    this.ingestPipe = this.batchPipe(this.ingestQueue, this.ingestBatch, obs);
    // The reconciler re-drives an object still without an outcome after its grace, queued or not: a backlog
    // that nears it would be ingested twice (correct, but the second time per Standard transition): alarm at half the grace.
    const grace = props.reconcileGrace ?? Duration.minutes(15);
    obs.watchQueueAge('IngestQueue', this.ingestQueue, Duration.seconds(Math.floor(grace.toSeconds() / 2)));
    this.ingestRule = new events.Rule(this, 'IntakeSingleObjectCreated', {
      description: `Starts the Express ingest workflow for each object uploaded under intake/ of ${BATCHED_OBJECT_BYTES} bytes up to ${LARGE_OBJECT_BYTES}`,
      eventPattern: intakeObjectCreated({ numeric: ['>=', BATCHED_OBJECT_BYTES, '<', LARGE_OBJECT_BYTES] }),
      targets: [
        new targets.SfnStateMachine(this.ingest, {
          deadLetterQueue: ingestDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    this.ingestLargeRule = new events.Rule(this, 'IntakeLargeObjectCreated', {
      description: `Starts the Standard ingest workflow for each object uploaded under intake/ of ${LARGE_OBJECT_BYTES} bytes or more`,
      eventPattern: intakeObjectCreated({ numeric: ['>=', LARGE_OBJECT_BYTES] }),
      targets: [
        new targets.SfnStateMachine(this.ingestLarge, {
          deadLetterQueue: ingestDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    const submissionDlq = obs.deadLetterQueue(this, 'SubmissionTargetDlq');
    const submissionReady = (detail: Record<string, unknown>): events.EventPattern => ({
      source: [PIPELINE_EVENT_SOURCE],
      detailType: [SUBMISSION_READY],
      detail,
    });
    const submissionTarget = (sm: sfn.StateMachine) =>
      new targets.SfnStateMachine(sm, { deadLetterQueue: submissionDlq, retryAttempts: 8, maxEventAge: Duration.hours(24) });
    this.submissionRule = new events.Rule(this, 'SubmissionReady', {
      description: `Starts the Express submission workflow when a sealed submission of up to ${SUBMISSION_EXPRESS_MAX_FILES} files has all its files handled`,
      eventBus: this.bus,
      eventPattern: submissionReady({ fileCount: [{ numeric: ['<=', SUBMISSION_EXPRESS_MAX_FILES] }], redrive: [false] }),
      targets: [submissionTarget(this.submission)],
    });
    this.submissionLargeRule = new events.Rule(this, 'SubmissionLargeReady', {
      description: `Starts the Standard submission workflow for a ready submission of more than ${SUBMISSION_EXPRESS_MAX_FILES} files, or one the reconciler announces again`,
      eventBus: this.bus,
      eventPattern: submissionReady({ $or: [{ fileCount: [{ numeric: ['>', SUBMISSION_EXPRESS_MAX_FILES] }] }, { redrive: [true] }] }),
      targets: [submissionTarget(this.submissionLarge)],
    });

    const evaluationDlq = obs.deadLetterQueue(this, 'EvaluationTargetDlq');
    new events.Rule(this, 'EvaluationRequested', {
      description: "Starts the evaluation workflow when an evaluator's uploaded model passed its checks",
      eventBus: this.bus,
      eventPattern: { source: [PIPELINE_EVENT_SOURCE], detailType: [EVALUATION_REQUESTED] },
      targets: [
        new targets.SfnStateMachine(this.evaluation, { deadLetterQueue: evaluationDlq, retryAttempts: 8, maxEventAge: Duration.hours(24) }),
      ],
    });

    const fhirExportDlq = obs.deadLetterQueue(this, 'FhirExportTargetDlq');
    new events.Rule(this, 'FhirExportRequested', {
      description: 'Starts the FHIR export workflow for each Bulk Data kick-off',
      eventBus: this.bus,
      eventPattern: { source: [PIPELINE_EVENT_SOURCE], detailType: [FHIR_EXPORT_REQUESTED] },
      targets: [
        new targets.SfnStateMachine(this.fhirExport, { deadLetterQueue: fhirExportDlq, retryAttempts: 8, maxEventAge: Duration.hours(1) }),
      ],
    });

    // Intake objects the reconciler found stuck come back as hilum "Object Created" events on the hilum bus.
    this.redriveRule = new events.Rule(this, 'IntakeObjectRedriven', {
      description: 'Starts the Standard ingest workflow again for an intake object the reconciler found without an outcome',
      eventBus: this.bus,
      eventPattern: {
        source: [PIPELINE_EVENT_SOURCE],
        detailType: [INTAKE_REDRIVE],
        detail: { bucket: { name: [props.intakeBucket.bucketName] }, object: { key: events.Match.prefix(INTAKE_PREFIX) } },
      },
      targets: [
        new targets.SfnStateMachine(this.ingestLarge, { deadLetterQueue: ingestDlq, retryAttempts: 8, maxEventAge: Duration.hours(24) }),
      ],
    });

    // Nothing stays stuck or orphaned: the reconciler re-drives, marks missing (announced files that never
    // arrive must not hold a sealed submission back forever), announces and cleans.
    const reconcileEvery = props.reconcileEvery ?? Duration.minutes(15);
    const reconcileDlq = obs.deadLetterQueue(this, 'ReconcileTargetDlq');
    new events.Rule(this, 'Reconcile', {
      description:
        'Re-drives stuck intake files, marks never-received files missing, finishes ready submissions and deletes orphans of crashed work',
      schedule: events.Schedule.rate(reconcileEvery),
      targets: [
        new targets.LambdaFunction(functions.reconcile, {
          deadLetterQueue: reconcileDlq,
          retryAttempts: 2,
          event: events.RuleTargetInput.fromObject({ graceSeconds: (props.reconcileGrace ?? Duration.minutes(15)).toSeconds() }),
        }),
      ],
    });
    // A file found stuck in two runs in a row was not helped by its redrive: someone should look.
    obs.watchMetric(
      'StuckFiles',
      new cloudwatch.Metric({
        namespace: POWERTOOLS_METRICS_NAMESPACE,
        metricName: 'StuckFiles',
        dimensionsMap: { service: 'hilum' },
        statistic: 'Maximum',
        period: reconcileEvery,
      }),
      'Intake files stayed without an outcome through two reconciler runs (each run re-drives them)',
      2,
    );

    for (const sm of [
      this.ingest,
      this.ingestBatch,
      this.ingestLarge,
      this.submission,
      this.submissionLarge,
      this.evaluation,
      this.fhirExport,
    ]) {
      // The role EventBridge assumes to start the state machine, created by the rule target.
      const eventsRole = sm.node.tryFindChild('EventsRole');
      if (eventsRole) Validations.of(eventsRole).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });
    }
    for (const [name, queue] of [
      ['IngestTarget', ingestDlq],
      ['IngestQueue', ingestQueueDlq],
      ['SubmissionTarget', submissionDlq],
      ['ReconcileTarget', reconcileDlq],
      ['EvaluationTarget', evaluationDlq],
      ['FhirExportTarget', fhirExportDlq],
    ] as const) {
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of an EventBridge target; its depth is alarmed.',
      });
      obs.watchQueue(name, queue);
    }
    obs.watchStateMachine('Ingest', this.ingest);
    obs.watchStateMachine('IngestBatch', this.ingestBatch);
    obs.watchStateMachine('IngestLarge', this.ingestLarge);
    obs.watchStateMachine('Submission', this.submission);
    obs.watchStateMachine('SubmissionLarge', this.submissionLarge);
    obs.watchStateMachine('Evaluation', this.evaluation);
    obs.watchStateMachine('FhirExport', this.fhirExport);
  }

  /**
   * The EventBridge Pipe from the ingest queue to the ingest-batch workflow: batches of up to
   * INGEST_BATCH_MAX_OBJECTS messages, waiting at most INGEST_BATCH_WINDOW_SECONDS to fill one. FIRE_AND_FORGET
   * (StartExecution): the pipe deletes a batch once its execution started, as the rule it replaces started an
   * execution per event; a failed execution is alarmed and its objects, still in intake, are re-driven by the
   * reconciler (REQUEST_RESPONSE would hold each batch's messages for the execution's length and re-deliver
   * all ten for one object's platform fault). Its role may read and delete this queue's messages, decrypt
   * them and start this one state machine, nothing else.
   */
  private batchPipe(queue: sqs.Queue, target: sfn.StateMachine, obs: Observability): pipes.CfnPipe {
    const role = new iam.Role(this, 'IngestPipeRole', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'The ingest pipe: reads the ingest queue, starts ingest-batch executions',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [queue.queueArn],
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [obs.key.keyArn] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [target.stateMachineArn] }));
    Validations.of(role).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });
    const pipe = new pipes.CfnPipe(this, 'IngestPipe', {
      description: 'Starts one ingest-batch execution per batch of queued intake objects',
      roleArn: role.roleArn,
      source: queue.queueArn,
      sourceParameters: {
        sqsQueueParameters: { batchSize: INGEST_BATCH_MAX_OBJECTS, maximumBatchingWindowInSeconds: INGEST_BATCH_WINDOW_SECONDS },
      },
      target: target.stateMachineArn,
      targetParameters: { stepFunctionStateMachineParameters: { invocationType: 'FIRE_AND_FORGET' } },
    });
    pipe.node.addDependency(role);
    return pipe;
  }

  private stateMachine(
    scope: Construct,
    name: 'ingest' | 'ingest-batch' | 'ingest-large' | 'submission' | 'submission-large' | 'evaluation' | 'fhir-export',
    definition: sfn.IChainable,
    timeout: Duration,
    obs: Observability,
    invokes: readonly lambda.IFunction[],
    type: sfn.StateMachineType = sfn.StateMachineType.STANDARD,
    level: sfn.LogLevel = sfn.LogLevel.ALL,
    levelReason: string = PER_OBJECT_LOG_LEVEL_REASON,
  ): sfn.StateMachine {
    const logGroup = obs.logGroup(scope, 'Logs', `/aws/vendedlogs/states/${Stack.of(this).stackName}-${name}`);
    const sm = new sfn.StateMachine(scope, 'StateMachine', {
      comment: `hilum ${name} workflow`,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: type,
      timeout,
      tracingEnabled: true,
      // Execution data is logged: by contract the states carry keys, remapped
      // UIDs, counts and rule ids only, never PHI.
      logs: { destination: logGroup, level, includeExecutionData: true },
    });
    describe(sm, META.workflow, name);
    if (level !== sfn.LogLevel.ALL) Validations.of(sm).acknowledge({ id: 'AwsSolutions-SF1', reason: levelReason });
    Validations.of(sm.role).acknowledge(
      ...invokes.map(logicalIdOf).map((fnId) => ({
        id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
        reason: `CDK's lambda:invoke grant names ${fnId} and its versions/aliases (arn:*), this function only.`,
      })),
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing and CloudWatch Logs vended delivery (logs:CreateLogDelivery, logs:PutResourcePolicy, ...) support no resource-level permissions.',
      },
    );
    return sm;
  }
}
