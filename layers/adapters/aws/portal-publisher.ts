import { createHash, createHmac, randomUUID, type Hash, type Hmac } from 'node:crypto';
import { CopyObjectCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { CustomResourceOutcome } from './custom-resource';
import { SITE_CONFIG_KEY, UNHASHED_ENTRY_KEYS, cacheControlOf, contentTypeOf, staleKeys } from '../../common/static-site';
import { logger } from './powertools';

/** One file of the build: where its CDK asset lies (a single-file asset, uploaded as-is) and its key in the site bucket. */
export interface SiteFile {
  readonly key: string;
  readonly assetBucket: string;
  readonly assetKey: string;
}

/** What the custom resource passes (infra/constructs/portal.ts). */
export interface SitePublication {
  readonly bucket: string;
  readonly distributionId: string;
  readonly files: readonly SiteFile[];
  /** Written as `portal-config.json`: the deploy-time values (API URL, managed login). */
  readonly config: unknown;
}

/** Clears CloudFront's copies of the given paths. */
export type Invalidate = (distributionId: string, paths: readonly string[]) => Promise<void>;

export interface PublishDeps {
  readonly s3: S3Client;
  readonly invalidate: Invalidate;
}

/**
 * The portal site custom resource: Create and Update publish (Update also deletes what the new build
 * no longer has); Delete leaves the bucket as it is, whose removal policy decides.
 */
export async function portalSiteEvent(event: CloudFormationCustomResourceEvent, deps: () => PublishDeps): Promise<CustomResourceOutcome> {
  if (event.RequestType === 'Delete') return { physicalResourceId: event.PhysicalResourceId };
  const site = sitePublicationOf(event.ResourceProperties);
  await publishSite(site, deps(), event.RequestType === 'Update');
  return { physicalResourceId: `portal-site-${site.bucket}` };
}

/** How many copies run at once: a build is a few dozen files, and CopyObject is server-side. */
const COPY_CONCURRENCY = 8;

/**
 * Publishes a build: every file copied from its asset with its Content-Type and Cache-Control, the
 * configuration written, (with `prune`) the objects of an earlier build deleted, and CloudFront's
 * copies of the files that name no hash cleared. Logs counts only.
 */
export async function publishSite(site: SitePublication, { s3, invalidate }: PublishDeps, prune: boolean): Promise<void> {
  const queue = [...site.files];
  let failure: { error: unknown } | undefined;
  // On a failure the other copies finish what they started and take no more, so nothing is still
  // writing into the bucket once CloudFormation has been answered.
  const copyNext = async (): Promise<void> => {
    for (let file = queue.shift(); file && !failure; file = queue.shift()) {
      await s3
        .send(
          new CopyObjectCommand({
            Bucket: site.bucket,
            Key: file.key,
            CopySource: `${file.assetBucket}/${encodeURIComponent(file.assetKey)}`,
            MetadataDirective: 'REPLACE',
            ContentType: contentTypeOf(file.key),
            CacheControl: cacheControlOf(file.key),
          }),
        )
        .catch((error: unknown) => {
          failure ??= { error };
        });
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, queue.length) }, copyNext));
  if (failure) throw failure.error;
  await s3.send(
    new PutObjectCommand({
      Bucket: site.bucket,
      Key: SITE_CONFIG_KEY,
      Body: JSON.stringify(site.config),
      ContentType: contentTypeOf(SITE_CONFIG_KEY),
      CacheControl: cacheControlOf(SITE_CONFIG_KEY),
    }),
  );
  let deleted = 0;
  if (prune) {
    const stale = staleKeys(await listKeys(s3, site.bucket), [...site.files.map((f) => f.key), SITE_CONFIG_KEY]);
    for (const key of stale) await s3.send(new DeleteObjectCommand({ Bucket: site.bucket, Key: key }));
    deleted = stale.length;
  }
  await invalidate(
    site.distributionId,
    UNHASHED_ENTRY_KEYS.map((key) => `/${key}`),
  );
  logger.info('portal published', { files: site.files.length, deleted });
}

async function listKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Reads the custom resource's properties (CloudFormation passes what portal.ts declared); value-free errors. */
export function sitePublicationOf(properties: Record<string, unknown>): SitePublication {
  const text = (value: unknown, name: string): string => {
    if (typeof value !== 'string' || value === '') throw new TypeError(`the property ${name} is missing`);
    return value;
  };
  const files = properties.Files;
  if (!Array.isArray(files)) throw new TypeError('the property Files is missing');
  return {
    bucket: text(properties.Bucket, 'Bucket'),
    distributionId: text(properties.DistributionId, 'DistributionId'),
    config: properties.Config ?? {},
    files: files.map((file: Record<string, unknown>) => ({
      key: text(file.Key, 'Files.Key'),
      assetBucket: text(file.AssetBucket, 'Files.AssetBucket'),
      assetKey: text(file.AssetKey, 'Files.AssetKey'),
    })),
  };
}

/**
 * CloudFront CreateInvalidation over its REST API, signed with SigV4 by the SDK's own signer and the
 * function's credentials (taken from the S3 client's provider): the CloudFront client package is not
 * a dependency of hilum, and this one call does not justify it. CloudFront is global: the call goes
 * to its one endpoint and is signed for us-east-1.
 */
export function cloudFrontInvalidator(s3: S3Client, send: typeof fetch = fetch): Invalidate {
  return async (distributionId, paths) => {
    const signer = new SignatureV4({ service: 'cloudfront', region: 'us-east-1', credentials: s3.config.credentials, sha256: NodeSha256 });
    const body = invalidationBatch(paths, randomUUID());
    const pathName = `/2020-05-31/distribution/${encodeURIComponent(distributionId)}/invalidation`;
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname: 'cloudfront.amazonaws.com',
      path: pathName,
      headers: { host: 'cloudfront.amazonaws.com', 'content-type': 'text/xml' },
      body,
    });
    const { host: _host, ...headers } = signed.headers;
    const answer = await send(`https://cloudfront.amazonaws.com${pathName}`, { method: 'POST', headers, body });
    if (answer.status !== 201) {
      const code = /<Code>([^<]*)<\/Code>/.exec(await answer.text())?.[1] ?? 'unknown';
      throw Object.assign(new Error(`CloudFront refused the invalidation (${answer.status} ${code})`), { name: `CloudFront${code}` });
    }
  };
}

/** The CreateInvalidation request body (2020-05-31 API). */
export function invalidationBatch(paths: readonly string[], callerReference: string): string {
  const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">',
    `<Paths><Quantity>${paths.length}</Quantity><Items>${paths.map((p) => `<Path>${escape(p)}</Path>`).join('')}</Items></Paths>`,
    `<CallerReference>${escape(callerReference)}</CallerReference>`,
    '</InvalidationBatch>',
  ].join('');
}

/** SHA-256 (or its HMAC) in the shape the SigV4 signer takes. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.secret));
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
