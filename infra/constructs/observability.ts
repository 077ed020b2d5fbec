import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * Operational plumbing: the KMS key for logs, dead-letter queues and the alarm
 * topic (its key policy admits CloudWatch Logs, EventBridge and CloudWatch
 * alarms), the alarm topic, and `watch*` helpers that add alarms as the other
 * constructs create what is to be watched.
 */
export class Observability extends Construct {
  /** Encrypts operational data: log groups, DLQs, the alarm topic. */
  readonly key: kms.Key;
  readonly alarmTopic: sns.Topic;
  readonly logRetention = logs.RetentionDays.THREE_MONTHS;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'hilum operational data: logs, dead-letter queues, alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
        },
      }),
    );
    // EventBridge writes undeliverable events to the KMS-encrypted DLQs, and
    // CloudWatch alarms publish to the KMS-encrypted topic.
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
    }

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'hilum alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
  }

  /** A KMS-encrypted log group with the house retention. */
  logGroup(scope: Construct, id: string, logGroupName?: string): logs.LogGroup {
    return new logs.LogGroup(scope, id, {
      logGroupName,
      encryptionKey: this.key,
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** A dead-letter queue: KMS-encrypted, TLS only, 14 days. */
  deadLetterQueue(scope: Construct, id: string): sqs.Queue {
    return new sqs.Queue(scope, id, {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
  }

  watchStateMachine(name: string, stateMachine: sfn.StateMachine): void {
    for (const [what, metric] of [
      ['Failed', stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' })],
      ['TimedOut', stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' })],
    ] as const) {
      this.alarm(`${name}Executions${what}`, metric, `The ${name} workflow has ${what.toLowerCase()} executions`);
    }
  }

  watchQueue(name: string, queue: sqs.IQueue): void {
    this.alarm(
      `${name}DeadLetters`,
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      `Events for ${name} could not be delivered and wait in its dead-letter queue`,
    );
  }

  /** An alarm when a work queue's oldest message has waited `maxAge` or longer (a backlog, a stopped consumer). */
  watchQueueAge(name: string, queue: sqs.IQueue, maxAge: Duration): void {
    this.alarm(
      `${name}Backlog`,
      queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      `The oldest message of ${name} has waited ${maxAge.toSeconds()} s or more`,
      1,
      maxAge.toSeconds(),
    );
  }

  watchFunction(name: string, fn: lambda.IFunction): void {
    this.alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), `The ${name} function reports errors`);
  }

  /** An alarm when `metric` is at least 1 in `periods` consecutive periods (e.g. files the reconciler found stuck twice running). */
  watchMetric(id: string, metric: cloudwatch.IMetric, description: string, periods = 1): void {
    this.alarm(id, metric, description, periods);
  }

  private alarm(id: string, metric: cloudwatch.IMetric, description: string, periods = 1, threshold = 1): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new actions.SnsAction(this.alarmTopic));
  }
}
