/**
 * The portal's publisher (functions/deploy/publish-portal.ts) with the real S3 client against the
 * local S3 emulator: a custom resource event in, the build copied from its assets with content types
 * and cache headers, the config written, stale objects deleted on Update, and CloudFormation answered
 * at a local HTTP server standing in for the presigned ResponseURL. CloudFront is an injected function.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { customResourceHandler } from '../../layers/adapters/aws/custom-resource';
import { portalSiteEvent, type Invalidate } from '../../layers/adapters/aws/portal-publisher';
import { generateLocalCredentials } from '../../local/credentials';
import { startS3, type S3Emulator } from '../../local/emulators/s3';

jest.setTimeout(30_000);

const ASSETS = 'hilum-assets';
const SITE = 'hilum-portal';
const BUILD: Record<string, string> = {
  'index.html': '<!doctype html><title>hilum</title>',
  'assets/index-Ab12Cd34.js': 'console.log("portal")',
  'assets/index-Ef56Gh78.css': 'body{margin:0}',
  'assets/codec-Ij90Kl12.wasm': '\0asm',
  'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
};
const CONFIG = {
  apiUrl: 'https://api.example.org/prod',
  mode: 'aws',
  cognito: { domain: 'https://login.example.org', clientId: 'client' },
};

let dataDir: string;
let s3e: S3Emulator;
let s3: S3Client;
let responder: Server;
let responseUrl: string;
const answers: Record<string, unknown>[] = [];
const invalidations: { distributionId: string; paths: readonly string[] }[] = [];
const invalidate: Invalidate = async (distributionId, paths) => {
  invalidations.push({ distributionId, paths });
};
const handler = customResourceHandler((event) => portalSiteEvent(event, () => ({ s3, invalidate })));

const assetKeyOf = (key: string) => `asset-${key.replace(/\W/g, '_')}`;
const files = (keys: readonly string[]) => keys.map((Key) => ({ Key, AssetBucket: ASSETS, AssetKey: assetKeyOf(Key) }));

function event(requestType: 'Create' | 'Update' | 'Delete', keys: readonly string[]): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:publisher',
    ResponseURL: `${responseUrl}/answer?X-Amz-Signature=abc`,
    StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/hilum/1',
    RequestId: `request-${answers.length}`,
    LogicalResourceId: 'PortalPublish',
    ResourceType: 'Custom::HilumPortalSite',
    ResourceProperties: { ServiceToken: 'token', Bucket: SITE, DistributionId: 'E2EXAMPLE', Files: files(keys), Config: CONFIG },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  return {
    ...base,
    RequestType: requestType,
    PhysicalResourceId: `portal-site-${SITE}`,
    OldResourceProperties: {},
  } as CloudFormationCustomResourceEvent;
}

const siteKeys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: SITE }))).Contents ?? []).map((o) => o.Key).sort();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hilum-portal-publish-'));
  const credentials = generateLocalCredentials();
  s3e = await startS3({
    dataDir,
    credentials,
    buckets: [ASSETS, SITE].map((name) => ({ role: name, logicalId: name, name, eventBridge: false, cors: [] })),
  });
  s3 = new S3Client({
    endpoint: s3e.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // The assets as CDK uploads them: under their hash, with no content type of their own.
  for (const [key, body] of [...Object.entries(BUILD), ['robots.txt', 'User-agent: *'] as const])
    await s3.send(new PutObjectCommand({ Bucket: ASSETS, Key: assetKeyOf(key), Body: body, ContentType: 'application/octet-stream' }));
  responder = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      answers.push({
        method: req.method,
        contentType: req.headers['content-type'] ?? '',
        ...(JSON.parse(body) as Record<string, unknown>),
      });
      res.end();
    });
  });
  await new Promise<void>((resolve) => responder.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(responder.address() as AddressInfo).port}`;
});

afterAll(async () => {
  s3?.destroy();
  await new Promise((resolve) => responder?.close(resolve));
  await s3e?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('on Create copies every file with its content type and cache header, writes the config, clears the unhashed files and answers SUCCESS', async () => {
  await handler(event('Create', Object.keys(BUILD)));

  expect(answers.at(-1)).toMatchObject({
    method: 'PUT',
    contentType: '',
    Status: 'SUCCESS',
    PhysicalResourceId: `portal-site-${SITE}`,
    RequestId: 'request-0',
    LogicalResourceId: 'PortalPublish',
    StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/hilum/1',
  });
  expect(await siteKeys()).toEqual([...Object.keys(BUILD), 'portal-config.json'].sort());
  const head = async (Key: string) => s3.send(new HeadObjectCommand({ Bucket: SITE, Key }));
  expect(await head('index.html')).toMatchObject({ ContentType: 'text/html; charset=utf-8', CacheControl: 'no-cache' });
  expect(await head('assets/index-Ab12Cd34.js')).toMatchObject({
    ContentType: 'text/javascript; charset=utf-8',
    CacheControl: 'public, max-age=31536000, immutable',
  });
  expect(await head('assets/index-Ef56Gh78.css')).toMatchObject({ ContentType: 'text/css; charset=utf-8' });
  expect(await head('assets/codec-Ij90Kl12.wasm')).toMatchObject({ ContentType: 'application/wasm' });
  expect(await head('favicon.svg')).toMatchObject({ ContentType: 'image/svg+xml', CacheControl: 'no-cache' });
  const page = await s3.send(new GetObjectCommand({ Bucket: SITE, Key: 'index.html' }));
  expect(await page.Body!.transformToString()).toBe(BUILD['index.html']);
  const config = await s3.send(new GetObjectCommand({ Bucket: SITE, Key: 'portal-config.json' }));
  expect(config).toMatchObject({ ContentType: 'application/json', CacheControl: 'no-cache' });
  expect(JSON.parse(await config.Body!.transformToString())).toEqual(CONFIG);
  expect(invalidations).toEqual([{ distributionId: 'E2EXAMPLE', paths: ['/index.html', '/portal-config.json'] }]);
});

it('on Update deletes the objects the new build no longer has, and on Delete leaves the bucket as it is', async () => {
  const next = ['index.html', 'assets/index-Ab12Cd34.js', 'robots.txt'];
  await handler(event('Update', next));
  expect(answers.at(-1)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `portal-site-${SITE}` });
  expect(await siteKeys()).toEqual([...next, 'portal-config.json'].sort());
  expect(await s3.send(new HeadObjectCommand({ Bucket: SITE, Key: 'robots.txt' }))).toMatchObject({
    ContentType: 'text/plain; charset=utf-8',
  });

  await handler(event('Delete', next));
  expect(answers.at(-1)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `portal-site-${SITE}` });
  expect(await siteKeys()).toEqual([...next, 'portal-config.json'].sort());
});

it('answers FAILED with a reason that names no key nor bucket when a copy fails, and does not invalidate', async () => {
  const before = invalidations.length;
  await handler(event('Update', ['index.html', 'assets/missing-Zz99.js']));
  const answer = answers.at(-1)!;
  expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `portal-site-${SITE}` });
  expect(answer.Reason).toMatch(/^Update failed \(\w+\); see the function's log$/);
  expect(String(answer.Reason)).not.toMatch(/missing|hilum-|asset/);
  expect(invalidations).toHaveLength(before);
});
