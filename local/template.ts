import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The synthesized CloudFormation template, read as the local runtime needs it:
 * resources found by the `hilum:*` metadata CDK writes, and intrinsic functions
 * resolved against local physical names, so the local runtime runs exactly what
 * would be deployed (definitions, event patterns, environment variables).
 */

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_PARTITION = 'aws';
export const LOCAL_URL_SUFFIX = 'amazonaws.com';
/** Prefix of every local physical name: `hilum-intake`, `hilum-catalog`, `hilum-Parse`... */
export const LOCAL_NAME_PREFIX = 'hilum';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: unknown;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, unknown>;
}

export type BucketRole = 'intake' | 'quarantine' | 'released' | 'access-logs';
export type WorkflowId = 'ingest' | 'submission';

/** What a resource resolves to: `Ref` and each `Fn::GetAtt` attribute. */
export interface PhysicalValue {
  readonly ref: string;
  readonly attrs: Readonly<Record<string, string>>;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * Synthesizes the CDK app in-process (no bundling, no cdk-nag) and returns the
 * commons stack's template. Takes 5-10 s.
 */
export async function synthesizeTemplate(repoRoot = REPO_ROOT): Promise<CfnTemplate> {
  const appModulePath = path.join(repoRoot, 'infra', 'app');
  // Resolved at run time: infra/ is another module's territory and may not exist yet.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(appModulePath) as { createCommonsApp?: unknown };
  if (typeof mod.createCommonsApp !== 'function') {
    throw new TemplateError(`${appModulePath} does not export createCommonsApp`);
  }
  // A throw-away cloud assembly directory: synth writes one, and the default would be a new temp dir per start.
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'hilum-local-synth-'));
  try {
    return synthesizeIn(mod.createCommonsApp as CreateCommonsApp, outdir);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

type CreateCommonsApp = (o: { nag: boolean; bundle: boolean; outdir: string }) => unknown;

function synthesizeIn(createCommonsApp: CreateCommonsApp, outdir: string): CfnTemplate {
  const created = createCommonsApp({ nag: false, bundle: false, outdir }) as {
    app: { synth(): { getStackByName(name: string): { template: unknown } } };
    stack: { stackName: string };
  };
  // CDK's built-in CloudFormation validation prints a report at synth; the local
  // runtime prints nothing itself, and `cdk synth` / the infra tests own that report.
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  let assembly: ReturnType<typeof created.app.synth>;
  try {
    assembly = created.app.synth();
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
  const template = assembly.getStackByName(created.stack.stackName).template;
  return asTemplate(template);
}

export function asTemplate(value: unknown): CfnTemplate {
  if (!isRecord(value) || !isRecord(value.Resources)) {
    throw new TemplateError('not a CloudFormation template: no Resources');
  }
  return value as unknown as CfnTemplate;
}

// ---------------------------------------------------------------------------
// Finding resources by metadata

export interface FoundResource {
  readonly logicalId: string;
  readonly resource: CfnResource;
}

export function metadataOf(resource: CfnResource, key: string): string | undefined {
  const value = resource.Metadata?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Resources carrying `Metadata[key]`, keyed by that metadata value (which must be unique). */
export function resourcesByMetadata(template: CfnTemplate, key: string, type?: string): Map<string, FoundResource> {
  const found = new Map<string, FoundResource>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const value = metadataOf(resource, key);
    if (value === undefined || (type !== undefined && resource.Type !== type)) continue;
    const previous = found.get(value);
    if (previous) {
      throw new TemplateError(`two resources carry ${key}=${value}: ${previous.logicalId} and ${logicalId}`);
    }
    found.set(value, { logicalId, resource });
  }
  return found;
}

export function resourcesOfType(template: CfnTemplate, ...types: string[]): FoundResource[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => types.includes(r.Type))
    .map(([logicalId, resource]) => ({ logicalId, resource }));
}

// ---------------------------------------------------------------------------
// Local physical values

const arn = (service: string, resource: string, region = LOCAL_REGION, account = LOCAL_ACCOUNT) =>
  `arn:${LOCAL_PARTITION}:${service}:${region}:${account}:${resource}`;

export const localNames = {
  bucket: (role: string) => `${LOCAL_NAME_PREFIX}-${role}`,
  table: (id: string) => `${LOCAL_NAME_PREFIX}-${id}`,
  bus: (id: string) => `${LOCAL_NAME_PREFIX}-${id}`,
  functionName: (id: string) => `${LOCAL_NAME_PREFIX}-${id}`,
  functionArn: (id: string) => arn('lambda', `function:${LOCAL_NAME_PREFIX}-${id}`),
  stateMachineArn: (id: string) => arn('states', `stateMachine:${LOCAL_NAME_PREFIX}-${id}`),
  secretName: (id: string) => `${LOCAL_NAME_PREFIX}/${id}`,
  // Real secret ARNs end in a random 6-character suffix; handlers must not rely on its absence.
  secretArn: (id: string) => arn('secretsmanager', `secret:${LOCAL_NAME_PREFIX}/${id}-local0`),
};

/** The physical value of a resource given its local name (mimicking what CloudFormation returns). */
function physicalFor(type: string, name: string, logicalId: string): PhysicalValue {
  switch (type) {
    case 'AWS::S3::Bucket':
      return {
        ref: name,
        attrs: {
          Arn: `arn:${LOCAL_PARTITION}:s3:::${name}`,
          DomainName: `${name}.s3.${LOCAL_URL_SUFFIX}`,
          RegionalDomainName: `${name}.s3.${LOCAL_REGION}.${LOCAL_URL_SUFFIX}`,
          WebsiteURL: `http://${name}.s3-website-${LOCAL_REGION}.${LOCAL_URL_SUFFIX}`,
        },
      };
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable':
      return {
        ref: name,
        attrs: { Arn: arn('dynamodb', `table/${name}`), StreamArn: arn('dynamodb', `table/${name}/stream/local`) },
      };
    case 'AWS::Lambda::Function':
      return { ref: name, attrs: { Arn: arn('lambda', `function:${name}`) } };
    case 'AWS::StepFunctions::StateMachine': {
      const smArn = arn('states', `stateMachine:${name}`);
      return { ref: smArn, attrs: { Arn: smArn, Name: name } };
    }
    case 'AWS::Events::EventBus':
      return { ref: name, attrs: { Arn: arn('events', `event-bus/${name}`), Name: name } };
    case 'AWS::Events::Rule':
      return { ref: name, attrs: { Arn: arn('events', `rule/${name}`) } };
    case 'AWS::SecretsManager::Secret':
      return { ref: name, attrs: { Id: name } };
    case 'AWS::SQS::Queue':
      return {
        ref: `http://sqs.${LOCAL_REGION}.localhost/${LOCAL_ACCOUNT}/${name}`,
        attrs: { Arn: arn('sqs', name), QueueName: name, QueueUrl: `http://sqs.${LOCAL_REGION}.localhost/${LOCAL_ACCOUNT}/${name}` },
      };
    case 'AWS::SNS::Topic':
      return { ref: arn('sns', name), attrs: { TopicArn: arn('sns', name), TopicName: name } };
    case 'AWS::KMS::Key':
      return { ref: `local-key-${logicalId}`, attrs: { Arn: arn('kms', `key/local-key-${logicalId}`), KeyId: `local-key-${logicalId}` } };
    case 'AWS::IAM::Role':
      return { ref: name, attrs: { Arn: `arn:${LOCAL_PARTITION}:iam::${LOCAL_ACCOUNT}:role/${name}`, RoleId: `AROALOCAL${logicalId}` } };
    case 'AWS::Logs::LogGroup':
      return { ref: name, attrs: { Arn: arn('logs', `log-group:${name}:*`) } };
    case 'AWS::Cognito::UserPool':
      return {
        ref: `${LOCAL_REGION}_local${logicalId}`,
        attrs: {
          Arn: arn('cognito-idp', `userpool/${LOCAL_REGION}_local${logicalId}`),
          ProviderName: `cognito-idp.${LOCAL_REGION}.${LOCAL_URL_SUFFIX}/${LOCAL_REGION}_local${logicalId}`,
          ProviderURL: `https://cognito-idp.${LOCAL_REGION}.${LOCAL_URL_SUFFIX}/${LOCAL_REGION}_local${logicalId}`,
          UserPoolId: `${LOCAL_REGION}_local${logicalId}`,
        },
      };
    default:
      // Anything else (roles, policies, API Gateway parts...) only needs a stable, recognisable token.
      return { ref: name, attrs: { Arn: arn('local', `${type.replace(/::/g, '-')}/${name}`) } };
  }
}

/**
 * Local physical values of every resource: the hilum resources get the names the
 * brief fixes (`hilum-intake`, `hilum-catalog`, `hilum-pipeline`, `hilum-Parse`...),
 * the rest a name derived from their logical id.
 */
export function localPhysicalValues(template: CfnTemplate): Map<string, PhysicalValue> {
  const values = new Map<string, PhysicalValue>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const name =
      bucketRoleName(resource) ??
      tableName(resource) ??
      busName(resource) ??
      functionName(resource) ??
      workflowName(resource) ??
      secretName(resource) ??
      `${LOCAL_NAME_PREFIX}-${logicalId}`;
    const value = physicalFor(resource.Type, name, logicalId);
    const secretId = resource.Type === 'AWS::SecretsManager::Secret' ? metadataOf(resource, 'hilum:secret') : undefined;
    values.set(logicalId, secretId ? { ref: localNames.secretArn(secretId), attrs: { Id: localNames.secretArn(secretId) } } : value);
  }
  return values;
}

function bucketRoleName(r: CfnResource): string | undefined {
  const role = r.Type === 'AWS::S3::Bucket' ? metadataOf(r, 'hilum:bucket') : undefined;
  return role && localNames.bucket(role);
}
function tableName(r: CfnResource): string | undefined {
  const id = r.Type.startsWith('AWS::DynamoDB::') ? metadataOf(r, 'hilum:table') : undefined;
  return id && localNames.table(id);
}
function busName(r: CfnResource): string | undefined {
  const id = r.Type === 'AWS::Events::EventBus' ? metadataOf(r, 'hilum:eventBus') : undefined;
  return id && localNames.bus(id);
}
function functionName(r: CfnResource): string | undefined {
  const id = r.Type === 'AWS::Lambda::Function' ? metadataOf(r, 'hilum:functionId') : undefined;
  return id && localNames.functionName(id);
}
function workflowName(r: CfnResource): string | undefined {
  const id = r.Type === 'AWS::StepFunctions::StateMachine' ? metadataOf(r, 'hilum:workflow') : undefined;
  return id && `${LOCAL_NAME_PREFIX}-${id}`;
}
function secretName(r: CfnResource): string | undefined {
  const id = r.Type === 'AWS::SecretsManager::Secret' ? metadataOf(r, 'hilum:secret') : undefined;
  return id && localNames.secretName(id);
}

// ---------------------------------------------------------------------------
// Intrinsic functions

const PSEUDO: Record<string, unknown> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::Partition': LOCAL_PARTITION,
  'AWS::URLSuffix': LOCAL_URL_SUFFIX,
  'AWS::StackName': 'hilum-local',
  'AWS::StackId': `arn:aws:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stack/hilum-local/00000000-0000-0000-0000-000000000000`,
  'AWS::NoValue': undefined,
  'AWS::NotificationARNs': [],
};

export class Resolver {
  readonly physical: Map<string, PhysicalValue>;

  constructor(readonly template: CfnTemplate, physical?: Map<string, PhysicalValue>) {
    this.physical = physical ?? localPhysicalValues(template);
  }

  ref(logicalId: string): unknown {
    if (logicalId in PSEUDO) return PSEUDO[logicalId];
    const parameter = this.template.Parameters?.[logicalId];
    if (parameter) {
      if (parameter.Default === undefined) throw new TemplateError(`parameter ${logicalId} has no default`);
      return parameter.Default;
    }
    const value = this.physical.get(logicalId);
    if (!value) throw new TemplateError(`Ref to unknown resource ${logicalId}`);
    return value.ref;
  }

  getAtt(logicalId: string, attribute: string): string {
    const value = this.physical.get(logicalId);
    if (!value) throw new TemplateError(`Fn::GetAtt on unknown resource ${logicalId}`);
    const attr = value.attrs[attribute];
    if (attr === undefined) {
      const type = this.template.Resources[logicalId]?.Type ?? '?';
      throw new TemplateError(`Fn::GetAtt ${logicalId}.${attribute} is not known locally (${type})`);
    }
    return attr;
  }

  condition(name: string): boolean {
    const expr = this.template.Conditions?.[name];
    if (expr === undefined) throw new TemplateError(`unknown condition ${name}`);
    return Boolean(this.resolve(expr));
  }

  /** Resolves every intrinsic function in `value` (deeply). `AWS::NoValue` removes the key. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== undefined);
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0] as string;
      const arg = value[key];
      if (key === 'Ref') return this.ref(expectString(arg, 'Ref'));
      if (key === 'Condition' && typeof arg === 'string' && this.template.Conditions?.[arg] !== undefined) return this.condition(arg);
      if (key.startsWith('Fn::')) return this.intrinsic(key, arg);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = this.resolve(v);
      if (resolved !== undefined) out[k] = resolved;
    }
    return out;
  }

  private intrinsic(fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg)
          ? [arg[0], arg[1]]
          : expectString(arg, fn).split(/\.(.*)/s);
        return this.getAtt(expectString(logicalId, fn), expectString(this.resolve(attribute), fn));
      }
      case 'Fn::Join': {
        const [sep, list] = expectArray(arg, fn);
        const items = expectArray(this.resolve(list), fn);
        return items.map((i) => scalarString(i, fn)).join(expectString(sep, fn));
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Select': {
        const [index, list] = expectArray(arg, fn);
        const items = expectArray(this.resolve(list), fn);
        const i = Number(this.resolve(index));
        if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new TemplateError(`Fn::Select index ${i} out of range`);
        return items[i];
      }
      case 'Fn::Split': {
        const [sep, source] = expectArray(arg, fn);
        return expectString(this.resolve(source), fn).split(expectString(sep, fn));
      }
      case 'Fn::If': {
        const [cond, whenTrue, whenFalse] = expectArray(arg, fn);
        return this.condition(expectString(cond, fn)) ? this.resolve(whenTrue) : this.resolve(whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = expectArray(arg, fn);
        return JSON.stringify(this.resolve(a)) === JSON.stringify(this.resolve(b));
      }
      case 'Fn::Not':
        return !this.resolve(expectArray(arg, fn)[0]);
      case 'Fn::And':
        return expectArray(arg, fn).every((c) => Boolean(this.resolve(c)));
      case 'Fn::Or':
        return expectArray(arg, fn).some((c) => Boolean(this.resolve(c)));
      case 'Fn::FindInMap': {
        const [map, top, second] = expectArray(arg, fn).map((a) => this.resolve(a));
        const found = this.template.Mappings?.[expectString(map, fn)]?.[expectString(top, fn)]?.[expectString(second, fn)];
        if (found === undefined) throw new TemplateError(`Fn::FindInMap ${String(map)}.${String(top)}.${String(second)} not found`);
        return found;
      }
      case 'Fn::GetAZs':
        return [`${LOCAL_REGION}a`, `${LOCAL_REGION}b`, `${LOCAL_REGION}c`];
      case 'Fn::Base64':
        return Buffer.from(expectString(this.resolve(arg), fn)).toString('base64');
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(arg));
      default:
        throw new TemplateError(`intrinsic ${fn} is not supported locally`);
    }
  }

  private sub(arg: unknown): string {
    const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
    const variables = isRecord(vars) ? (this.resolve(vars) as Record<string, unknown>) : {};
    return expectString(text, 'Fn::Sub').replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`; // ${!Literal}
      if (name in variables) return scalarString(variables[name], 'Fn::Sub');
      const dot = name.indexOf('.');
      if (dot > 0 && !(name in PSEUDO)) return this.getAtt(name.slice(0, dot), name.slice(dot + 1));
      return scalarString(this.ref(name), 'Fn::Sub');
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new TemplateError(`${where}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}
function expectArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new TemplateError(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}
function scalarString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`${where}: cannot join ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------
// The commons, as the local runtime needs it

export interface LocalFunction {
  readonly id: string;
  readonly logicalId: string;
  readonly entry: string;
  readonly name: string;
  readonly arn: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

export interface LocalWorkflow {
  readonly id: string;
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  /** The resolved Amazon States Language definition. */
  readonly definition: Record<string, unknown>;
}

export interface LocalBucket { readonly role: string; readonly logicalId: string; readonly name: string; readonly eventBridge: boolean }
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
export interface LocalSecret {
  readonly id: string;
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** `GenerateSecretString` of the template, resolved. */
  readonly generate?: Record<string, unknown>;
}

export interface LocalCommonsModel {
  readonly template: CfnTemplate;
  readonly resolver: Resolver;
  readonly buckets: ReadonlyMap<string, LocalBucket>;
  readonly tables: ReadonlyMap<string, LocalTable>;
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly workflows: ReadonlyMap<string, LocalWorkflow>;
  readonly buses: ReadonlyMap<string, { readonly id: string; readonly logicalId: string; readonly name: string; readonly arn: string }>;
  readonly secrets: ReadonlyMap<string, LocalSecret>;
  readonly rules: readonly LocalRule[];
  readonly schedules: readonly LocalSchedule[];
}

/** Reads everything the local runtime needs from the template, intrinsics resolved. */
export function modelOf(template: CfnTemplate, resolver = new Resolver(template)): LocalCommonsModel {
  const res = <T>(v: unknown) => resolver.resolve(v) as T;
  const props = (r: CfnResource) => r.Properties ?? {};

  const eventBridgeBuckets = bucketsWithEventBridge(template, resolver);
  const buckets = new Map<string, LocalBucket>();
  for (const [role, { logicalId }] of resourcesByMetadata(template, 'hilum:bucket', 'AWS::S3::Bucket')) {
    const name = resolver.ref(logicalId) as string;
    buckets.set(role, { role, logicalId, name, eventBridge: eventBridgeBuckets.has(name) });
  }

  const tables = new Map<string, LocalTable>();
  for (const [id, { logicalId, resource }] of resourcesByMetadata(template, 'hilum:table')) {
    if (!resource.Type.startsWith('AWS::DynamoDB::')) continue;
    tables.set(id, { id, logicalId, name: resolver.ref(logicalId) as string, type: resource.Type, properties: res(props(resource)) });
  }

  const functions = new Map<string, LocalFunction>();
  for (const [id, { logicalId, resource }] of resourcesByMetadata(template, 'hilum:functionId', 'AWS::Lambda::Function')) {
    const entry = metadataOf(resource, 'hilum:entry');
    if (!entry) throw new TemplateError(`function ${id} (${logicalId}) has no hilum:entry metadata`);
    const p = props(resource);
    const environment = res<Record<string, unknown>>((p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {});
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(environment)) env[k] = String(v);
    functions.set(id, {
      id, logicalId, entry,
      name: resolver.ref(logicalId) as string,
      arn: resolver.getAtt(logicalId, 'Arn'),
      environment: env,
      timeoutSeconds: typeof p.Timeout === 'number' ? p.Timeout : 3,
      memoryMb: typeof p.MemorySize === 'number' ? p.MemorySize : 128,
    });
  }

  const workflows = new Map<string, LocalWorkflow>();
  for (const [id, { logicalId, resource }] of resourcesByMetadata(template, 'hilum:workflow', 'AWS::StepFunctions::StateMachine')) {
    const p = props(resource);
    let definition: unknown;
    if (p.DefinitionString !== undefined) definition = JSON.parse(res<string>(p.DefinitionString));
    else if (p.Definition !== undefined) definition = res(p.Definition);
    else throw new TemplateError(`workflow ${id} (${logicalId}) has no definition (DefinitionS3Location is not supported)`);
    if (p.DefinitionSubstitutions !== undefined) {
      definition = substitute(definition, res<Record<string, unknown>>(p.DefinitionSubstitutions));
    }
    workflows.set(id, {
      id, logicalId,
      arn: resolver.ref(logicalId) as string,
      name: resolver.getAtt(logicalId, 'Name'),
      definition: definition as Record<string, unknown>,
    });
  }

  const buses = new Map<string, { id: string; logicalId: string; name: string; arn: string }>();
  for (const [id, { logicalId }] of resourcesByMetadata(template, 'hilum:eventBus', 'AWS::Events::EventBus')) {
    buses.set(id, { id, logicalId, name: resolver.ref(logicalId) as string, arn: resolver.getAtt(logicalId, 'Arn') });
  }

  const secrets = new Map<string, LocalSecret>();
  for (const [id, { logicalId, resource }] of resourcesByMetadata(template, 'hilum:secret', 'AWS::SecretsManager::Secret')) {
    const p = res<Record<string, unknown>>(props(resource));
    const generate = isRecord(p.GenerateSecretString) ? p.GenerateSecretString : undefined;
    secrets.set(id, { id, logicalId, name: localNames.secretName(id), arn: resolver.ref(logicalId) as string, ...(generate ? { generate } : {}) });
  }

  const rules: LocalRule[] = [];
  const schedules: LocalSchedule[] = [];
  for (const { logicalId, resource } of resourcesOfType(template, 'AWS::Events::Rule')) {
    const p = res<Record<string, unknown>>(props(resource));
    if (p.EventPattern === undefined) {
      const everyMs = typeof p.ScheduleExpression === 'string' ? rateMs(p.ScheduleExpression) : undefined;
      if (everyMs === undefined) continue; // cron() schedules do not run locally
      schedules.push({
        logicalId,
        name: resolver.ref(logicalId) as string,
        everyMs,
        enabled: p.State === undefined || p.State === 'ENABLED',
        targets: (Array.isArray(p.Targets) ? p.Targets : []).filter(isRecord)
          .map((t) => ({ arn: String(t.Arn), input: typeof t.Input === 'string' ? JSON.parse(t.Input) as unknown : {} })),
      });
      continue;
    }
    const pattern = typeof p.EventPattern === 'string' ? JSON.parse(p.EventPattern) : p.EventPattern;
    const bus = typeof p.EventBusName === 'string' ? busNameOf(p.EventBusName) : 'default';
    const targets = (Array.isArray(p.Targets) ? p.Targets : []).filter(isRecord).map((t): LocalRuleTarget => ({
      id: String(t.Id),
      arn: String(t.Arn),
      ...(typeof t.Input === 'string' ? { input: t.Input } : {}),
      ...(typeof t.InputPath === 'string' ? { inputPath: t.InputPath } : {}),
      ...(isRecord(t.InputTransformer) ? { inputTransformer: t.InputTransformer as unknown as LocalRuleTarget['inputTransformer'] & object } : {}),
    }));
    rules.push({
      logicalId,
      name: resolver.ref(logicalId) as string,
      busName: bus,
      pattern: pattern as Record<string, unknown>,
      enabled: p.State === undefined || p.State === 'ENABLED',
      targets,
    });
  }

  return { template, resolver, buckets, tables, functions, workflows, buses, secrets, rules, schedules };
}

/** `rate(15 minutes)` in ms; undefined for anything else. */
export function rateMs(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const unit = m[2]!.startsWith('minute') ? 60_000 : m[2]!.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

/** An event bus given by name or ARN, as a name. */
export function busNameOf(nameOrArn: string): string {
  const m = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return m?.[1] ?? nameOrArn;
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
