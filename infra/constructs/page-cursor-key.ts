import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENV } from '../../layers/common/env-names';
import type { HilumFunction } from './hilum-function';
import { META, describe } from './metadata';

export interface PageCursorKeyProps {
  /** The catalog's CMK: the cursors page through the catalog, so its key guards theirs. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The key that seals the API's page cursors (layers/common/page-cursors.ts): a random
 * value Secrets Manager generates at deploy, never seen by a person, read once per
 * container by the functions that page results. It protects no data at rest: replacing
 * it only makes the cursors issued before answer 400 (a client starts its listing
 * again), so it may be rotated or replaced at will, and losing it loses nothing.
 */
export class PageCursorKey extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PageCursorKeyProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'hilum API page cursor key (seals pagination cursors; replacing it only invalidates cursors issued before)',
      encryptionKey: props.encryptionKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    describe(this.secret, META.secret, 'page-cursors');
    const noRotation =
      'The page cursor key seals pagination positions only and protects no data at rest; replacing it by hand (put-secret-value) is always safe and only invalidates cursors issued before, so no rotation Lambda is deployed for it.';
    Validations.of(this.secret).acknowledge(
      { id: 'AwsSolutions-SMG4', reason: noRotation },
      { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason: noRotation },
    );
  }

  /** Lets the function read the key, and tells it where it is. */
  bind(fn: HilumFunction): void {
    this.secret.grantRead(fn);
    fn.bindValue(ENV.pageCursorSecretId, this.secret.secretArn);
  }
}
