import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The per-project de-identification keys: one Secrets Manager secret per project,
 * `<prefix>/projects/<project>/deid-key`, generated here with a CSPRNG when the
 * project is created, encrypted with the deployment's KMS key, never rotated
 * automatically (a new key changes every pseudonym, UID and date shift of new data;
 * docs/deidentification.md). Each submission pins the version that was current when
 * it opened, so every file of a submission is keyed alike even across a rotation.
 */
export interface ProjectKey {
  readonly project: string;
  /** The Secrets Manager VersionId of the value. */
  readonly version: string;
  readonly secret: string;
}

/** 32 random bytes as hex: the key length `hilum deid` asks of a secret file too. */
const KEY_BYTES = 32;
export const MIN_KEY_LENGTH = 32;

export function projectKeyName(prefix: string, project: string): string {
  return `${prefix}/projects/${project}/deid-key`;
}

/** The project's key is absent or unusable; the message names no value. */
export class ProjectKeyMissing extends Error {
  override readonly name = 'ProjectKeyMissing';
}

/** The key cannot be created under its name (a secret of that name is scheduled for deletion). */
export class ProjectKeyBlocked extends Error {
  override readonly name = 'ProjectKeyBlocked';
}

export class ProjectKeyStore {
  /** Values by project and version: a version's value never changes, so it is kept for the container's life. */
  private readonly cache = new Map<string, Promise<ProjectKey>>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
  ) {}

  name(project: string): string {
    return projectKeyName(this.prefix, project);
  }

  /** The key at a version (a submission's pinned one), or the current one when no version is given (not cached). */
  read(project: string, version?: string): Promise<ProjectKey> {
    if (version === undefined) return this.fetch(project);
    const id = `${project}\0${version}`;
    let value = this.cache.get(id);
    if (!value) {
      value = this.fetch(project, version);
      value.catch(() => this.cache.delete(id));
      this.cache.set(id, value);
    }
    return value;
  }

  /** The VersionId labelled AWSCURRENT, without reading the value; undefined when the project has no key. */
  async currentVersion(project: string): Promise<string | undefined> {
    try {
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: this.name(project) }));
      if (described.DeletedDate) return undefined;
      const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) => stages?.includes('AWSCURRENT'));
      return current?.[0];
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  /**
   * Creates the project's key unless it exists: an existing key is never replaced,
   * since that would re-key the project's future data. `created` says which happened.
   */
  async create(project: string, kmsKeyArn: string): Promise<{ created: boolean }> {
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: this.name(project),
          Description: `hilum de-identification key of project ${project} (UID remapping, pseudonyms, date shifts); never rotate it automatically`,
          KmsKeyId: kmsKeyArn,
          SecretString: randomBytes(KEY_BYTES).toString('hex'),
        }),
      );
      return { created: true };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ResourceExistsException') return { created: false };
      if (name === 'InvalidRequestException')
        throw new ProjectKeyBlocked(
          'a key of this project is scheduled for deletion; an operator restores it (aws secretsmanager restore-secret) before the project is saved again',
        );
      throw error;
    }
  }

  private async fetch(project: string, version?: string): Promise<ProjectKey> {
    let result;
    try {
      result = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.name(project), ...(version ? { VersionId: version } : {}) }),
      );
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException')
        throw new ProjectKeyMissing('the project has no de-identification key (at the version its submission pinned)');
      throw error;
    }
    const secret = result.SecretString ?? '';
    if (secret.length < MIN_KEY_LENGTH || !result.VersionId)
      throw new ProjectKeyMissing(`the project's de-identification key is shorter than ${MIN_KEY_LENGTH} characters`);
    return { project, version: result.VersionId, secret };
  }
}
