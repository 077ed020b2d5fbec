import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { INTAKE_PREFIX } from '../../layers/pipeline/object-keys';
import { FHIR_EXPORT_REQUESTED, INTAKE_REDRIVE, PIPELINE_EVENT_SOURCE, SUBMISSION_READY } from '../../layers/pipeline/events';
import { FhirExportFunctions, fhirExportDefinition } from '../../workflows/fhir-export';
import { IngestFunctions, ingestDefinition } from '../../workflows/ingest';
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

export interface PipelineProps {
  readonly intakeBucket: s3.IBucket;
  /** `reconcile` runs on a schedule (stuck files re-driven, never-received files marked `missing`, ready submissions announced, orphans deleted). */
  readonly functions: IngestFunctions &
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
  /** Per object, Express: objects below LARGE_OBJECT_BYTES, from S3's events. */
  readonly ingest: sfn.StateMachine;
  /** The same definition, Standard: large objects (an Express execution ends at 5 minutes) and the reconciler's re-drives. */
  readonly ingestLarge: sfn.StateMachine;
  readonly ingestLargeRule: events.Rule;
  readonly submission: sfn.StateMachine;
  readonly evaluation: sfn.StateMachine;
  readonly fhirExport: sfn.StateMachine;
  readonly ingestRule: events.Rule;
  readonly submissionRule: events.Rule;
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
    const submissionScope = new Construct(this, 'Submission');
    this.submission = this.stateMachine(
      submissionScope,
      'submission',
      submissionDefinition(submissionScope, functions),
      Duration.hours(2),
      obs,
      [functions.studyQa, functions.indexSubmission, functions.publishSubmission, functions.qaReport, functions.rebuildSnapshot],
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
    this.ingestRule = new events.Rule(this, 'IntakeObjectCreated', {
      description: `Starts the Express ingest workflow for each object uploaded under intake/ smaller than ${LARGE_OBJECT_BYTES} bytes`,
      eventPattern: intakeObjectCreated({ numeric: ['<', LARGE_OBJECT_BYTES] }),
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
    this.submissionRule = new events.Rule(this, 'SubmissionReady', {
      description: 'Starts the submission workflow when a sealed submission has all its files staged',
      eventBus: this.bus,
      eventPattern: { source: [PIPELINE_EVENT_SOURCE], detailType: [SUBMISSION_READY] },
      targets: [
        new targets.SfnStateMachine(this.submission, {
          deadLetterQueue: submissionDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
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

    for (const sm of [this.ingest, this.ingestLarge, this.submission, this.evaluation, this.fhirExport]) {
      // The role EventBridge assumes to start the state machine, created by the rule target.
      const eventsRole = sm.node.tryFindChild('EventsRole');
      if (eventsRole) Validations.of(eventsRole).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });
    }
    for (const [name, queue] of [
      ['IngestTarget', ingestDlq],
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
    obs.watchStateMachine('IngestLarge', this.ingestLarge);
    obs.watchStateMachine('Submission', this.submission);
    obs.watchStateMachine('Evaluation', this.evaluation);
    obs.watchStateMachine('FhirExport', this.fhirExport);
  }

  private stateMachine(
    scope: Construct,
    name: 'ingest' | 'ingest-large' | 'submission' | 'evaluation' | 'fhir-export',
    definition: sfn.IChainable,
    timeout: Duration,
    obs: Observability,
    invokes: readonly lambda.IFunction[],
    type: sfn.StateMachineType = sfn.StateMachineType.STANDARD,
    level: sfn.LogLevel = sfn.LogLevel.ALL,
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
    if (level !== sfn.LogLevel.ALL) Validations.of(sm).acknowledge({ id: 'AwsSolutions-SF1', reason: PER_OBJECT_LOG_LEVEL_REASON });
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
