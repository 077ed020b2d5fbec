import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tracer } from './powertools';
import { withFastConfig } from './fast-client-config';

/**
 * AWS SDK clients, built once per process. Endpoints are never hard-coded: the SDK
 * reads `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB`, ... so the same code
 * talks to AWS, LocalStack or the embedded emulators. Each client's configuration is made a fast-properties
 * object once (fast-client-config.ts): the SDK copies it several times per request.
 */
let s3: S3Client | undefined;
let documents: DynamoDBDocumentClient | undefined;
let events: EventBridgeClient | undefined;
let secrets: SecretsManagerClient | undefined;

export function s3Client(): S3Client {
  s3 ??= tracer.captureAWSv3Client(
    withFastConfig(
      new S3Client({
        // Path-style addressing for emulators, which cannot resolve bucket subdomains.
        forcePathStyle: process.env.HILUM_S3_FORCE_PATH_STYLE === 'true',
        // Default (WHEN_SUPPORTED) checksums get signed into presigned PUT URLs, which a
        // plain `curl -T` cannot satisfy, and corrupt streamed bodies on emulators.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    ),
  );
  return s3;
}

export function documentClient(): DynamoDBDocumentClient {
  documents ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(withFastConfig(new DynamoDBClient({}))), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documents;
}

export function eventBridgeClient(): EventBridgeClient {
  events ??= tracer.captureAWSv3Client(withFastConfig(new EventBridgeClient({})));
  return events;
}

export function secretsClient(): SecretsManagerClient {
  secrets ??= tracer.captureAWSv3Client(withFastConfig(new SecretsManagerClient({})));
  return secrets;
}
