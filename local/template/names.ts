import { metadataOf, type CfnResource, type CfnTemplate } from './cfn-template';

/**
 * The local deployment's names: its account, region and partition, the physical name of
 * every resource (hilum's by their `hilum:*` metadata: `hilum-intake`, `hilum-catalog`,
 * `hilum-pipeline`, `hilum-Parse`...; the rest from their logical id), and what `Ref` and
 * `Fn::GetAtt` return for each, mimicking CloudFormation.
 */

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_PARTITION = 'aws';
export const LOCAL_URL_SUFFIX = 'amazonaws.com';
/** Prefix of every local physical name: `hilum-intake`, `hilum-catalog`, `hilum-Parse`... */
export const LOCAL_NAME_PREFIX = 'hilum';

/** What a resource resolves to: `Ref` and each `Fn::GetAtt` attribute. */
export interface PhysicalValue {
  readonly ref: string;
  readonly attrs: Readonly<Record<string, string>>;
}

const arn = (service: string, resource: string, region = LOCAL_REGION, account = LOCAL_ACCOUNT) =>
  `arn:${LOCAL_PARTITION}:${service}:${region}:${account}:${resource}`;
const prefixed = (id: string) => `${LOCAL_NAME_PREFIX}-${id}`;

export const localNames = {
  bucket: prefixed,
  table: prefixed,
  bus: prefixed,
  functionName: prefixed,
  functionArn: (id: string) => arn('lambda', `function:${prefixed(id)}`),
  workflowName: prefixed,
  stateMachineArn: (id: string) => arn('states', `stateMachine:${prefixed(id)}`),
  secretName: (id: string) => `${LOCAL_NAME_PREFIX}/${id}`,
  // Real secret ARNs end in a random 6-character suffix; handlers must not rely on its absence.
  secretArn: (id: string) => arn('secretsmanager', `secret:${LOCAL_NAME_PREFIX}/${id}-local0`),
};

/** An event bus given by name or ARN, as a name. */
export function busNameOf(nameOrArn: string): string {
  const m = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return m?.[1] ?? nameOrArn;
}

/** hilum's resources, named by the id their metadata gives them. */
const NAMED_BY_METADATA: readonly {
  readonly isType: (type: string) => boolean;
  readonly key: string;
  readonly name: (id: string) => string;
}[] = [
  { isType: (t) => t === 'AWS::S3::Bucket', key: 'hilum:bucket', name: localNames.bucket },
  { isType: (t) => t.startsWith('AWS::DynamoDB::'), key: 'hilum:table', name: localNames.table },
  { isType: (t) => t === 'AWS::Events::EventBus', key: 'hilum:eventBus', name: localNames.bus },
  { isType: (t) => t === 'AWS::Lambda::Function', key: 'hilum:functionId', name: localNames.functionName },
  { isType: (t) => t === 'AWS::StepFunctions::StateMachine', key: 'hilum:workflow', name: localNames.workflowName },
  { isType: (t) => t === 'AWS::SecretsManager::Secret', key: 'hilum:secret', name: localNames.secretName },
];

function localNameOf(logicalId: string, resource: CfnResource): string {
  for (const { isType, key, name } of NAMED_BY_METADATA) {
    const id = isType(resource.Type) ? metadataOf(resource, key) : undefined;
    if (id !== undefined) return name(id);
  }
  return prefixed(logicalId);
}

/** Local physical values of every resource of the template, by logical id. */
export function localPhysicalValues(template: CfnTemplate): Map<string, PhysicalValue> {
  const values = new Map<string, PhysicalValue>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const secretId = resource.Type === 'AWS::SecretsManager::Secret' ? metadataOf(resource, 'hilum:secret') : undefined;
    values.set(
      logicalId,
      secretId
        ? { ref: localNames.secretArn(secretId), attrs: { Id: localNames.secretArn(secretId) } }
        : physicalFor(resource.Type, localNameOf(logicalId, resource), logicalId),
    );
  }
  return values;
}

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
    case 'AWS::SQS::Queue': {
      const url = `http://sqs.${LOCAL_REGION}.localhost/${LOCAL_ACCOUNT}/${name}`;
      return { ref: url, attrs: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
    }
    case 'AWS::SNS::Topic':
      return { ref: arn('sns', name), attrs: { TopicArn: arn('sns', name), TopicName: name } };
    case 'AWS::KMS::Key':
      return { ref: `local-key-${logicalId}`, attrs: { Arn: arn('kms', `key/local-key-${logicalId}`), KeyId: `local-key-${logicalId}` } };
    case 'AWS::IAM::Role':
      return { ref: name, attrs: { Arn: `arn:${LOCAL_PARTITION}:iam::${LOCAL_ACCOUNT}:role/${name}`, RoleId: `AROALOCAL${logicalId}` } };
    case 'AWS::Logs::LogGroup':
      return { ref: name, attrs: { Arn: arn('logs', `log-group:${name}:*`) } };
    case 'AWS::Cognito::UserPool': {
      const poolId = `${LOCAL_REGION}_local${logicalId}`;
      return {
        ref: poolId,
        attrs: {
          Arn: arn('cognito-idp', `userpool/${poolId}`),
          ProviderName: `cognito-idp.${LOCAL_REGION}.${LOCAL_URL_SUFFIX}/${poolId}`,
          ProviderURL: `https://cognito-idp.${LOCAL_REGION}.${LOCAL_URL_SUFFIX}/${poolId}`,
          UserPoolId: poolId,
        },
      };
    }
    default:
      // Anything else (roles, policies, API Gateway parts...) only needs a stable, recognisable token.
      return { ref: name, attrs: { Arn: arn('local', `${type.replace(/::/g, '-')}/${name}`) } };
  }
}
