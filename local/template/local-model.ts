import {
  isRecord,
  metadataOf,
  resourcesByMetadata,
  resourcesOfType,
  TemplateError,
  type CfnResource,
  type CfnTemplate,
} from './cfn-template';
import { Resolver } from './intrinsics';
import { busNameOf, localNames } from './names';
import type { S3CorsRule } from '../emulators/s3-cors';

/**
 * The commons as the local runtime consumes it: buckets, tables, functions, workflows, buses,
 * secrets, event rules and schedules, read from the template by their `hilum:*` metadata with
 * every intrinsic function resolved.
 */

export interface LocalFunction {
  readonly id: string;
  readonly logicalId: string;
  readonly entry: string;
  readonly name: string;
  readonly arn: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** `ReservedConcurrentExecutions`: at most this many of its invocations run at once (none: no limit). */
  readonly reservedConcurrency?: number;
}

export interface LocalWorkflow {
  readonly id: string;
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  /** The resolved Amazon States Language definition. */
  readonly definition: Record<string, unknown>;
  /** How AWS bills it: per state transition (STANDARD) or per request and duration (EXPRESS). */
  readonly type: 'STANDARD' | 'EXPRESS';
  /** What its executions log to CloudWatch Logs (`LoggingConfiguration`; level `OFF` without one): priced by `bench cost`. */
  readonly logging: WorkflowLogging;
}

/** A state machine's `LoggingConfiguration`: which history events it logs and whether with their input and output. */
export interface WorkflowLogging {
  readonly level: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
  readonly includeExecutionData: boolean;
}

export interface LocalBucket {
  readonly role: string;
  readonly logicalId: string;
  readonly name: string;
  readonly eventBridge: boolean;
  /** The bucket's `CorsConfiguration.CorsRules`, in order; empty when it has none. */
  readonly cors: readonly S3CorsRule[];
  /** Its default encryption is SSE-KMS (`BucketEncryption`): S3's ETags of its objects are not MD5s of their data. */
  readonly sseKms?: boolean;
}
export interface LocalTable {
  readonly id: string;
  readonly logicalId: string;
  readonly name: string;
  readonly type: string;
  /** Resolved `Properties` of the table resource. */
  readonly properties: Record<string, unknown>;
}
export interface LocalRule {
  readonly logicalId: string;
  readonly name: string;
  /** Bus name; `default` when the rule names none. */
  readonly busName: string;
  readonly pattern: Record<string, unknown>;
  readonly enabled: boolean;
  readonly targets: readonly LocalRuleTarget[];
}
export interface LocalRuleTarget {
  readonly id: string;
  readonly arn: string;
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: { readonly InputPathsMap?: Record<string, string>; readonly InputTemplate: string };
}
/** A scheduled rule (`rate(...)`): the local commons runs its Lambda targets on the same interval. */
export interface LocalSchedule {
  readonly logicalId: string;
  readonly name: string;
  readonly everyMs: number;
  readonly enabled: boolean;
  /** Lambda ARNs with the constant input each gets (parsed `Input`, `{}` without one). */
  readonly targets: readonly { readonly arn: string; readonly input: unknown }[];
}
export interface LocalBus {
  readonly id: string;
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
}
export interface LocalSecret {
  readonly id: string;
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** `GenerateSecretString` of the template, resolved. */
  readonly generate?: Record<string, unknown>;
}

/** An SQS queue (`AWS::SQS::Queue`): a rule may target it and a pipe read it. */
export interface LocalQueue {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** How long a received message stays hidden before it shows again (SQS's default 30 s). */
  readonly visibilityTimeoutSeconds: number;
  /** `RedrivePolicy`: after this many receives a message goes to the dead-letter queue. */
  readonly deadLetter?: { readonly arn: string; readonly maxReceiveCount: number };
}

/** An EventBridge Pipe (`AWS::Pipes::Pipe`) from an SQS queue to a state machine, as the local commons runs it. */
export interface LocalPipe {
  readonly logicalId: string;
  readonly name: string;
  readonly sourceArn: string;
  readonly targetArn: string;
  /** `SqsQueueParameters.BatchSize` (Pipes' default 10). */
  readonly batchSize: number;
  /** `SqsQueueParameters.MaximumBatchingWindowInSeconds` (default 0: no wait). */
  readonly windowSeconds: number;
  /** `StepFunctionStateMachineParameters.InvocationType` (default REQUEST_RESPONSE). */
  readonly invocationType: 'FIRE_AND_FORGET' | 'REQUEST_RESPONSE';
  /** `DesiredState` RUNNING (the default) rather than STOPPED. */
  readonly enabled: boolean;
}

export interface LocalCommonsModel {
  readonly template: CfnTemplate;
  readonly resolver: Resolver;
  readonly buckets: ReadonlyMap<string, LocalBucket>;
  readonly tables: ReadonlyMap<string, LocalTable>;
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly workflows: ReadonlyMap<string, LocalWorkflow>;
  readonly buses: ReadonlyMap<string, LocalBus>;
  readonly secrets: ReadonlyMap<string, LocalSecret>;
  readonly rules: readonly LocalRule[];
  readonly schedules: readonly LocalSchedule[];
  /** By ARN. */
  readonly queues: ReadonlyMap<string, LocalQueue>;
  readonly pipes: readonly LocalPipe[];
}

/** Reads everything the local runtime needs from the template, intrinsics resolved. */
export function modelOf(template: CfnTemplate, resolver = new Resolver(template)): LocalCommonsModel {
  const buckets = bucketsOf(template, resolver);
  const tables = tablesOf(template, resolver);
  const functions = functionsOf(template, resolver);
  const workflows = workflowsOf(template, resolver);
  const buses = busesOf(template, resolver);
  const secrets = secretsOf(template, resolver);
  const { rules, schedules } = eventRulesOf(template, resolver);
  const queues = queuesOf(template, resolver);
  const pipes = pipesOf(template, resolver);
  return { template, resolver, buckets, tables, functions, workflows, buses, secrets, rules, schedules, queues, pipes };
}

function queuesOf(template: CfnTemplate, resolver: Resolver): Map<string, LocalQueue> {
  const queues = new Map<string, LocalQueue>();
  for (const { logicalId, resource } of resourcesOfType(template, 'AWS::SQS::Queue')) {
    const p = resolved<Record<string, unknown>>(resolver, propertiesOf(resource));
    const arn = resolver.getAtt(logicalId, 'Arn');
    const redrive = isRecord(p.RedrivePolicy) ? p.RedrivePolicy : undefined;
    queues.set(arn, {
      logicalId,
      name: resolver.getAtt(logicalId, 'QueueName'),
      arn,
      visibilityTimeoutSeconds: typeof p.VisibilityTimeout === 'number' ? p.VisibilityTimeout : 30,
      ...(redrive && typeof redrive.deadLetterTargetArn === 'string'
        ? { deadLetter: { arn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount ?? 1) } }
        : {}),
    });
  }
  return queues;
}

/** Pipes whose source is an SQS queue and whose target a state machine: the only kind the local commons runs. */
function pipesOf(template: CfnTemplate, resolver: Resolver): LocalPipe[] {
  const pipes: LocalPipe[] = [];
  for (const { logicalId, resource } of resourcesOfType(template, 'AWS::Pipes::Pipe')) {
    const p = resolved<Record<string, unknown>>(resolver, propertiesOf(resource));
    const source = String(p.Source);
    const target = String(p.Target);
    if (!/^arn:[^:]+:sqs:/.test(source) || !/^arn:[^:]+:states:/.test(target)) {
      throw new TemplateError(`pipe ${logicalId}: only SQS sources and Step Functions targets run locally`);
    }
    const sqs = (
      isRecord(p.SourceParameters) && isRecord(p.SourceParameters.SqsQueueParameters) ? p.SourceParameters.SqsQueueParameters : {}
    ) as {
      BatchSize?: unknown;
      MaximumBatchingWindowInSeconds?: unknown;
    };
    const sfn = (
      isRecord(p.TargetParameters) && isRecord(p.TargetParameters.StepFunctionStateMachineParameters)
        ? p.TargetParameters.StepFunctionStateMachineParameters
        : {}
    ) as { InvocationType?: unknown };
    pipes.push({
      logicalId,
      name: physicalName(resolver, logicalId),
      sourceArn: source,
      targetArn: target,
      batchSize: typeof sqs.BatchSize === 'number' ? sqs.BatchSize : 10,
      windowSeconds: typeof sqs.MaximumBatchingWindowInSeconds === 'number' ? sqs.MaximumBatchingWindowInSeconds : 0,
      invocationType: sfn.InvocationType === 'FIRE_AND_FORGET' ? 'FIRE_AND_FORGET' : 'REQUEST_RESPONSE',
      enabled: p.DesiredState === undefined || p.DesiredState === 'RUNNING',
    });
  }
  return pipes;
}

/** A resource's `Properties` (or part of them) with every intrinsic resolved. */
const resolved = <T>(resolver: Resolver, value: unknown) => resolver.resolve(value) as T;
const propertiesOf = (r: CfnResource) => r.Properties ?? {};
const physicalName = (resolver: Resolver, logicalId: string) => resolver.ref(logicalId) as string;

interface BucketProperties {
  readonly CorsConfiguration?: { readonly CorsRules?: S3CorsRule[] };
  readonly BucketEncryption?: {
    readonly ServerSideEncryptionConfiguration?: ReadonlyArray<{
      readonly ServerSideEncryptionByDefault?: { readonly SSEAlgorithm?: string };
    }>;
  };
}

function bucketsOf(template: CfnTemplate, resolver: Resolver): Map<string, LocalBucket> {
  const eventBridgeBuckets = bucketsWithEventBridge(template, resolver);
  const buckets = new Map<string, LocalBucket>();
  for (const [role, { logicalId, resource }] of resourcesByMetadata(template, 'hilum:bucket', 'AWS::S3::Bucket')) {
    const name = physicalName(resolver, logicalId);
    const properties = resolved<BucketProperties>(resolver, propertiesOf(resource));
    const sseKms = (properties.BucketEncryption?.ServerSideEncryptionConfiguration ?? []).some((rule) =>
      rule.ServerSideEncryptionByDefault?.SSEAlgorithm?.startsWith('aws:kms'),
    );
    buckets.set(role, {
      role,
      logicalId,
      name,
      eventBridge: eventBridgeBuckets.has(name),
      cors: properties.CorsConfiguration?.CorsRules ?? [],
      ...(sseKms ? { sseKms } : {}),
    });
  }
  return buckets;
}

function tablesOf(template: CfnTemplate, resolver: Resolver): Map<string, LocalTable> {
  const tables = new Map<string, LocalTable>();
  for (const [id, { logicalId, resource }] of resourcesByMetadata(template, 'hilum:table')) {
    if (!resource.Type.startsWith('AWS::DynamoDB::')) continue;
    tables.set(id, {
      id,
      logicalId,
      name: physicalName(resolver, logicalId),
      type: resource.Type,
      properties: resolved(resolver, propertiesOf(resource)),
    });
  }
  return tables;
}

function functionsOf(template: CfnTemplate, resolver: Resolver): Map<string, LocalFunction> {
  const functions = new Map<string, LocalFunction>();
  for (const [id, { logicalId, resource }] of resourcesByMetadata(template, 'hilum:functionId', 'AWS::Lambda::Function')) {
    const entry = metadataOf(resource, 'hilum:entry');
    if (!entry) throw new TemplateError(`function ${id} (${logicalId}) has no hilum:entry metadata`);
    const p = propertiesOf(resource);
    const variables = resolved<Record<string, unknown>>(resolver, (p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {});
    functions.set(id, {
      id,
      logicalId,
      entry,
      name: physicalName(resolver, logicalId),
      arn: resolver.getAtt(logicalId, 'Arn'),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      timeoutSeconds: typeof p.Timeout === 'number' ? p.Timeout : 3,
      memoryMb: typeof p.MemorySize === 'number' ? p.MemorySize : 128,
      ...(typeof p.ReservedConcurrentExecutions === 'number' && p.ReservedConcurrentExecutions > 0
        ? { reservedConcurrency: p.ReservedConcurrentExecutions }
        : {}),
    });
  }
  return functions;
}

function workflowsOf(template: CfnTemplate, resolver: Resolver): Map<string, LocalWorkflow> {
  const workflows = new Map<string, LocalWorkflow>();
  for (const [id, { logicalId, resource }] of resourcesByMetadata(template, 'hilum:workflow', 'AWS::StepFunctions::StateMachine')) {
    const p = propertiesOf(resource);
    let definition: unknown;
    if (p.DefinitionString !== undefined) definition = JSON.parse(resolved<string>(resolver, p.DefinitionString));
    else if (p.Definition !== undefined) definition = resolved(resolver, p.Definition);
    else throw new TemplateError(`workflow ${id} (${logicalId}) has no definition (DefinitionS3Location is not supported)`);
    if (p.DefinitionSubstitutions !== undefined) {
      definition = substitute(definition, resolved<Record<string, unknown>>(resolver, p.DefinitionSubstitutions));
    }
    workflows.set(id, {
      id,
      logicalId,
      arn: physicalName(resolver, logicalId),
      name: resolver.getAtt(logicalId, 'Name'),
      definition: definition as Record<string, unknown>,
      type: p.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      logging: loggingOf(p.LoggingConfiguration),
    });
  }
  return workflows;
}

function loggingOf(configuration: unknown): WorkflowLogging {
  const c = isRecord(configuration) ? configuration : {};
  const level = c.Level === 'ALL' || c.Level === 'ERROR' || c.Level === 'FATAL' ? c.Level : 'OFF';
  return { level, includeExecutionData: c.IncludeExecutionData === true };
}

function busesOf(template: CfnTemplate, resolver: Resolver): Map<string, LocalBus> {
  const buses = new Map<string, LocalBus>();
  for (const [id, { logicalId }] of resourcesByMetadata(template, 'hilum:eventBus', 'AWS::Events::EventBus')) {
    buses.set(id, { id, logicalId, name: physicalName(resolver, logicalId), arn: resolver.getAtt(logicalId, 'Arn') });
  }
  return buses;
}

function secretsOf(template: CfnTemplate, resolver: Resolver): Map<string, LocalSecret> {
  const secrets = new Map<string, LocalSecret>();
  for (const [id, { logicalId, resource }] of resourcesByMetadata(template, 'hilum:secret', 'AWS::SecretsManager::Secret')) {
    const p = resolved<Record<string, unknown>>(resolver, propertiesOf(resource));
    const generate = isRecord(p.GenerateSecretString) ? p.GenerateSecretString : undefined;
    secrets.set(id, {
      id,
      logicalId,
      name: localNames.secretName(id),
      arn: physicalName(resolver, logicalId),
      ...(generate ? { generate } : {}),
    });
  }
  return secrets;
}

/** Event rules with a pattern, and scheduled rules; `cron()` schedules do not run locally. */
function eventRulesOf(template: CfnTemplate, resolver: Resolver): { rules: LocalRule[]; schedules: LocalSchedule[] } {
  const rules: LocalRule[] = [];
  const schedules: LocalSchedule[] = [];
  for (const { logicalId, resource } of resourcesOfType(template, 'AWS::Events::Rule')) {
    const p = resolved<Record<string, unknown>>(resolver, propertiesOf(resource));
    const name = physicalName(resolver, logicalId);
    if (p.EventPattern === undefined) {
      const everyMs = typeof p.ScheduleExpression === 'string' ? rateMs(p.ScheduleExpression) : undefined;
      if (everyMs === undefined) continue;
      schedules.push({
        logicalId,
        name,
        everyMs,
        enabled: isEnabled(p),
        targets: targetsOf(p).map((t) => ({
          arn: String(t.Arn),
          input: typeof t.Input === 'string' ? (JSON.parse(t.Input) as unknown) : {},
        })),
      });
      continue;
    }
    rules.push({
      logicalId,
      name,
      busName: typeof p.EventBusName === 'string' ? busNameOf(p.EventBusName) : 'default',
      pattern: (typeof p.EventPattern === 'string' ? JSON.parse(p.EventPattern) : p.EventPattern) as Record<string, unknown>,
      enabled: isEnabled(p),
      targets: targetsOf(p).map((t): LocalRuleTarget => ({
        id: String(t.Id),
        arn: String(t.Arn),
        ...(typeof t.Input === 'string' ? { input: t.Input } : {}),
        ...(typeof t.InputPath === 'string' ? { inputPath: t.InputPath } : {}),
        ...(isRecord(t.InputTransformer)
          ? { inputTransformer: t.InputTransformer as unknown as LocalRuleTarget['inputTransformer'] & object }
          : {}),
      })),
    });
  }
  return { rules, schedules };
}

/** A rule's state: enabled unless it says otherwise. */
const isEnabled = (rule: Record<string, unknown>) => rule.State === undefined || rule.State === 'ENABLED';
/** A rule's targets (resolved properties), the well-formed ones. */
const targetsOf = (rule: Record<string, unknown>) => (Array.isArray(rule.Targets) ? rule.Targets : []).filter(isRecord);

/** `rate(15 minutes)` in ms; undefined for anything else. */
export function rateMs(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const unit = m[2]!.startsWith('minute') ? 60_000 : m[2]!.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

/**
 * Buckets that send events to EventBridge: either `NotificationConfiguration.EventBridgeConfiguration`
 * on the bucket or CDK's `Custom::S3BucketNotifications` resource with it.
 */
function bucketsWithEventBridge(template: CfnTemplate, resolver: Resolver): Set<string> {
  const names = new Set<string>();
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    const config = r.Properties?.NotificationConfiguration as { EventBridgeConfiguration?: unknown } | undefined;
    if (!config?.EventBridgeConfiguration) continue;
    if (r.Type === 'AWS::S3::Bucket') names.add(resolver.ref(logicalId) as string);
    else if (r.Properties?.BucketName !== undefined) names.add(resolver.resolve(r.Properties.BucketName) as string);
  }
  return names;
}

function substitute(value: unknown, subs: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^}]+)\}/g, (whole, name: string) => (name in subs ? String(subs[name]) : whole));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, subs));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, subs)]));
  return value;
}
