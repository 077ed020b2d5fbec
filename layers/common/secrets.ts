import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The de-identification key, fetched once per container. Rotating it would change
 * every pseudonym and remapped UID, so it is read, never generated, here.
 */
export class SecretReader {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly client: SecretsManagerClient) {}

  read(secretId: string): Promise<string> {
    let value = this.cache.get(secretId);
    if (!value) {
      value = this.fetch(secretId);
      value.catch(() => this.cache.delete(secretId));
      this.cache.set(secretId, value);
    }
    return value;
  }

  private async fetch(secretId: string): Promise<string> {
    const result = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const secret = result.SecretString ?? (result.SecretBinary ? Buffer.from(result.SecretBinary).toString('hex') : '');
    if (secret.length < 16) throw new Error('the de-identification secret is missing or shorter than 16 characters');
    return secret;
  }
}
