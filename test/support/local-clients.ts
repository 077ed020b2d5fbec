import { writeFile } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LocalCommons } from '../../local/commons';

/** An S3 client for a test to look into the local commons' buckets (the local commons' key). */
export function localS3Client(commons: LocalCommons): S3Client {
  return new S3Client({
    endpoint: commons.s3Endpoint, region: 'us-east-1', forcePathStyle: true,
    credentials: commons.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Writes the commons' de-identification secret to a file, as an operator exports it
 * for a site (`aws secretsmanager get-secret-value`), and returns the path.
 */
export async function writeDeidSecretFile(commons: LocalCommons, path: string): Promise<string> {
  const secrets = new SecretsManagerClient({ endpoint: commons.servicesEndpoint, region: 'us-east-1', credentials: commons.credentials });
  try {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: commons.environment.DEID_SECRET_ID }));
    if (!SecretString) throw new Error('the local commons has no de-identification secret');
    await writeFile(path, SecretString, { mode: 0o600 });
    return path;
  } finally {
    secrets.destroy();
  }
}
