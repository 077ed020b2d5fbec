/**
 * The environment variables every hilum function may read. CDK sets them on each
 * Lambda from its resources; the local runtime sets the same names from the
 * synthesized template, so handlers never know which world they run in.
 */
export const ENV = {
  intakeBucket: 'INTAKE_BUCKET',
  quarantineBucket: 'QUARANTINE_BUCKET',
  releasedBucket: 'RELEASED_BUCKET',
  catalogTable: 'CATALOG_TABLE',
  eventBusName: 'EVENT_BUS_NAME',
  /** Secrets Manager name prefix of the per-project de-identification keys (`<prefix>/projects/<project>/deid-key`). */
  deidKeyPrefix: 'DEID_KEY_PREFIX',
  /** The KMS key (ARN) that encrypts the project keys; only the function that creates keys has it. */
  deidKeyKmsKeyArn: 'DEID_KEY_KMS_KEY_ARN',
  authIssuer: 'AUTH_ISSUER',
  authJwksUrl: 'AUTH_JWKS_URL',
  authAudience: 'AUTH_AUDIENCE',
  multipartThresholdBytes: 'MULTIPART_THRESHOLD_BYTES',
  uploadUrlTtlSeconds: 'UPLOAD_URL_TTL_SECONDS',
  downloadUrlTtlSeconds: 'DOWNLOAD_URL_TTL_SECONDS',
  /** The Secrets Manager secret whose value keys the API's page cursors (layers/adapters/aws/page-cursor-key.ts). */
  pageCursorSecretId: 'PAGE_CURSOR_SECRET_ID',
  /** The browser origins the API answers with CORS headers (a JSON list; context `apiOrigins`; layers/common/cors.ts). */
  apiOrigins: 'API_ORIGINS',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
