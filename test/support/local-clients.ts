import { writeFile } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LocalCommons } from '../../local/commons';
import { projectKeyName } from '../../layers/adapters/aws/secrets';

/** An S3 client for a test to look into the local commons' buckets (the local commons' key). */
export function localS3Client(commons: LocalCommons): S3Client {
  return new S3Client({
    endpoint: commons.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: commons.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A Secrets Manager client on the local commons' emulator. */
export function localSecretsClient(commons: LocalCommons): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint: commons.servicesEndpoint, region: 'us-east-1', credentials: commons.credentials });
}

/** The name of a project's de-identification key in the local commons. */
export function projectKeyId(commons: LocalCommons, project: string): string {
  const prefix = commons.environment.DEID_KEY_PREFIX;
  if (!prefix) throw new Error('the local commons functions have no DEID_KEY_PREFIX');
  return projectKeyName(prefix, project);
}

/**
 * Writes a project's de-identification key to a file, as an operator exports it
 * for a site (`aws secretsmanager get-secret-value`), and returns the path.
 */
export async function writeDeidSecretFile(commons: LocalCommons, project: string, path: string): Promise<string> {
  const secrets = localSecretsClient(commons);
  try {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: projectKeyId(commons, project) }));
    if (!SecretString) throw new Error('the project has no de-identification key');
    await writeFile(path, SecretString, { mode: 0o600 });
    return path;
  } finally {
    secrets.destroy();
  }
}
