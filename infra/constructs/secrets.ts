import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { DeidKeyAccess } from '../../functions/registry';
import { ENV } from '../../layers/common/env-names';
import { projectKeyName } from '../../layers/adapters/aws/secrets';
import type { HilumFunction } from './hilum-function';

/**
 * The per-project de-identification keys: the HMAC secrets behind UID remapping,
 * patient pseudonyms and date shifts, one Secrets Manager secret per project under
 * this deployment's prefix (`hilum/<stack>/projects/<project>/deid-key`). They are
 * created at run time, when a curator creates the project (POST /projects), so no
 * secret is declared here: this construct holds the CMK that encrypts them, the
 * name prefix, and the grants. A project's key keys only that project's data, so a
 * site given its project's key (GET /projects/{project}/site-key) can compute
 * nothing of another project, sequestered ones included.
 *
 * Grants are narrow: reading values (GetSecretValue), reading versions only
 * (DescribeSecret) or creating (CreateSecret, only with this CMK), each on the
 * prefix's ARN pattern; the CMK only through Secrets Manager and only for secrets
 * under the prefix. Nobody may delete, update or re-policy a key from a function.
 * No rotation schedule: rotating would re-key future data (docs/deidentification.md).
 */
export class DeidKeys extends Construct {
  /** Encrypts every project key; RETAINed, since losing it loses the keys. */
  readonly key: kms.Key;
  /** Secrets Manager name prefix of this deployment's project keys. */
  readonly prefix: string;
  /** The ARN pattern of every project key (a secret ARN ends in a random suffix, hence the wildcard). */
  readonly keysArnPattern: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'hilum per-project de-identification keys (Secrets Manager)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.prefix = `hilum/${stack.stackName}`;
    this.keysArnPattern = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      // `*` at the end: an ARN ends in `-` and six random characters Secrets Manager appends.
      resourceName: `${projectKeyName(this.prefix, '*')}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** Grants a function the access its registry entry declares and sets the variables it reads. */
  bind(fn: HilumFunction, access: DeidKeyAccess): void {
    const secretActions = {
      read: 'secretsmanager:GetSecretValue',
      describe: 'secretsmanager:DescribeSecret',
      create: 'secretsmanager:CreateSecret',
    } as const;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [secretActions[access]],
        resources: [this.keysArnPattern],
        // A key is created only encrypted with this deployment's CMK: the creator passes its ARN as
        // KmsKeyId (DEID_KEY_KMS_KEY_ARN), and the condition compares exactly that request value.
        ...(access === 'create' ? { conditions: { StringEquals: { 'secretsmanager:KmsKeyId': this.key.keyArn } } } : {}),
      }),
    );
    const kmsActions = access === 'read' ? ['kms:Decrypt'] : access === 'create' ? ['kms:GenerateDataKey', 'kms:Decrypt'] : [];
    if (kmsActions.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: kmsActions,
          resources: [this.key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
            StringLike: { 'kms:EncryptionContext:SecretARN': this.keysArnPattern },
          },
        }),
      );
    }
    fn.bindValue(ENV.deidKeyPrefix, this.prefix);
    if (access === 'create') fn.bindValue(ENV.deidKeyKmsKeyArn, this.key.keyArn);
    Validations.of(fn.serviceRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flatten(Stack.of(this).resolve(this.keysArnPattern))}]`,
      reason: `Project keys are created at run time, one per project, so their names are known only as the deployment's prefix (${this.prefix}/projects/*/deid-key); the wildcard covers project ids and the random suffix Secrets Manager appends to every secret ARN, and nothing outside this deployment's project keys. The action is ${secretActions[access]} only.`,
    });
  }
}

/** A resolved value as cdk-nag writes it in finding ids: `Ref X` as `<X>`, `GetAtt X.Y` as `<X.Y>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(separator);
  }
  if (typeof node.Ref === 'string') return `<${node.Ref}>`;
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}
