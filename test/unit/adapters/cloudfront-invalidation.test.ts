/**
 * The portal publisher's CloudFront CreateInvalidation (layers/adapters/aws/portal-publisher.ts): one
 * POST to CloudFront's global endpoint with the 2020-05-31 invalidation batch, signed with SigV4 for
 * `cloudfront` in us-east-1 by the S3 client's credentials (checked by the local commons' verifier,
 * which recomputes the signature); a refusal throws an error named after CloudFront's code only.
 */
import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { cloudFrontInvalidator } from '../../../layers/adapters/aws/portal-publisher';
import { generateLocalCredentials } from '../../../local/credentials';
import { SigV4Verifier } from '../../../local/emulators/sigv4';

const credentials = generateLocalCredentials();
const s3 = new S3Client({ region: 'eu-west-1', credentials });
afterAll(() => s3.destroy());

interface Sent {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function recorder(status: number, answer = '') {
  const sent: Sent[] = [];
  const send = (async (url: string, init: RequestInit) => {
    sent.push({ url, method: String(init.method), headers: init.headers as Record<string, string>, body: String(init.body) });
    return new Response(answer, { status });
  }) as typeof fetch;
  return { sent, send };
}

it('POSTs the invalidation batch of the paths to the distribution, signed for cloudfront in us-east-1', async () => {
  const { sent, send } = recorder(201);
  await cloudFrontInvalidator(s3, send)('E2EXAMPLE', ['/index.html', '/portal-config.json']);

  expect(sent).toHaveLength(1);
  const [request] = sent as [Sent];
  expect(request.method).toBe('POST');
  expect(request.url).toBe('https://cloudfront.amazonaws.com/2020-05-31/distribution/E2EXAMPLE/invalidation');
  expect(request.body).toContain('<InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">');
  expect(request.body).toContain(
    '<Paths><Quantity>2</Quantity><Items><Path>/index.html</Path><Path>/portal-config.json</Path></Items></Paths>',
  );
  expect(request.body).toMatch(/<CallerReference>[0-9a-f-]{36}<\/CallerReference>/);
  expect(request.headers.authorization).toContain(`Credential=${credentials.accessKeyId}/`);
  expect(request.headers.authorization).toMatch(/\/us-east-1\/cloudfront\/aws4_request, SignedHeaders=[^ ]*host/);

  const verifier = new SigV4Verifier({ credentials, region: 'us-east-1', services: ['cloudfront'], s3: false });
  const headers: Record<string, string[]> = { host: ['cloudfront.amazonaws.com'] };
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = [value];
  const verified = await verifier.verify(
    { method: 'POST', url: new URL(request.url).pathname, headers },
    createHash('sha256').update(request.body).digest('hex'),
  );
  expect(verified).toMatchObject({ ok: true, service: 'cloudfront' });
  const tampered = await verifier.verify(
    { method: 'POST', url: '/2020-05-31/distribution/EOTHER/invalidation', headers },
    createHash('sha256').update(request.body).digest('hex'),
  );
  expect(tampered).toMatchObject({ ok: false });
});

it("throws an error named after CloudFront's code when it refuses the invalidation", async () => {
  const { send } = recorder(
    403,
    '<ErrorResponse><Error><Code>AccessDenied</Code><Message>User arn:x is not allowed</Message></Error></ErrorResponse>',
  );
  const refused = cloudFrontInvalidator(s3, send)('E2EXAMPLE', ['/index.html']);
  await expect(refused).rejects.toMatchObject({ name: 'CloudFrontAccessDenied' });
  await expect(refused).rejects.not.toMatchObject({ message: expect.stringContaining('arn:x') as unknown });
});
