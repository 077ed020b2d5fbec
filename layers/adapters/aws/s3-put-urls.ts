import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';

export interface PutUrlTarget {
  readonly key: string;
  readonly size: number;
}

export interface PutUrlOptions {
  readonly expiresIn: number;
  /** Headers signed into each URL besides `host` (hilum signs `content-length`). */
  readonly signableHeaders: Set<string>;
  /** One instant for every URL of the call (the default: now). */
  readonly signingDate?: Date;
}

/**
 * Presigned PUT URLs for many keys of one bucket, each signing its own size. `getSignedUrl` runs the client's
 * whole middleware stack per URL (endpoint rules, serializers, user agent, retry: ~0.3 ms of CPU warm, ~80% of
 * it outside the signature), and a CT series announces 1,000 URLs in one request. The request it signs differs
 * from key to key only in its path and its Content-Length, so the first key is presigned by `getSignedUrl`, its
 * request rebuilt from that URL, and the others signed from copies of it by the same SDK presigner. The copy is
 * used only when re-signing the first key from it gives `getSignedUrl`'s URL character for character (any
 * endpoint, region or credential form the rebuild does not reproduce falls back to `getSignedUrl` per key), and
 * only for keys of characters a path carries unescaped.
 */
export async function presignPutUrls(
  client: S3Client,
  bucket: string,
  targets: readonly PutUrlTarget[],
  options: PutUrlOptions,
): Promise<string[]> {
  const first = targets[0];
  if (!first) return [];
  const signingDate = options.signingDate ?? new Date();
  const signed = { expiresIn: options.expiresIn, signableHeaders: options.signableHeaders, signingDate };
  const viaSdk = (target: PutUrlTarget) =>
    getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: target.key, ContentLength: target.size }), { ...signed });

  const reference = await viaSdk(first);
  const template = PLAIN_KEY.test(first.key) ? requestTemplate(reference, first.key) : undefined;
  const presigner =
    template && new S3RequestPresigner({ ...client.config, region: async () => template.region, signingName: template.service });
  const fromTemplate = async (target: PutUrlTarget) =>
    presigner && template ? formatUrl(await presigner.presign(template.requestFor(target), { ...signed })) : '';
  if (!template || (await fromTemplate(first)) !== reference) return [reference, ...(await Promise.all(targets.slice(1).map(viaSdk)))];

  return [
    reference,
    ...(await Promise.all(targets.slice(1).map((target) => (PLAIN_KEY.test(target.key) ? fromTemplate(target) : viaSdk(target))))),
  ];
}

/** Unreserved characters and `/`: what the SDK's path serializer leaves as it is in a key. */
const PLAIN_KEY = /^[A-Za-z0-9._~/-]+$/;

interface UnsignedPut {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** The unsigned request behind a presigned PUT URL, for any key in place of `key`; undefined if it cannot tell. */
function requestTemplate(presignedUrl: string, key: string) {
  const url = new URL(presignedUrl);
  const credential = url.searchParams.get('X-Amz-Credential')?.split('/');
  // AKID/date/region/service/aws4_request: a sigv4a URL (region set) or any other form is not rebuilt.
  if (credential?.length !== 5 || url.searchParams.has('X-Amz-Region-Set') || !url.pathname.endsWith(`/${key}`)) return undefined;
  const [, , region, service] = credential as [string, string, string, string, string];
  const pathPrefix = url.pathname.slice(0, url.pathname.length - key.length);
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) if (!name.startsWith('X-Amz-')) query[name] = value;
  const port = url.port ? Number(url.port) : undefined;
  return {
    region,
    service,
    requestFor: (target: PutUrlTarget): UnsignedPut => ({
      method: 'PUT',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(port === undefined ? {} : { port }),
      path: pathPrefix + target.key,
      query: { ...query },
      headers: { host: url.host, 'content-length': String(target.size) },
    }),
  };
}

function formatUrl(request: { protocol: string; hostname: string; port?: number; path: string; query?: Record<string, unknown> }): string {
  const host = request.port ? `${request.hostname}:${request.port}` : request.hostname;
  const params = request.query ?? {};
  const query = Object.keys(params)
    .sort()
    .map((name) => `${escapeUri(name)}=${escapeUri(String(params[name]))}`)
    .join('&');
  return `${request.protocol}//${host}${request.path}${query ? `?${query}` : ''}`;
}

/** RFC 3986 escaping, as the SDK's query builder does it (its names sorted too). */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
