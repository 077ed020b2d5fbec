/**
 * The web portal in AWS (context `portal`): the AWS build in a private bucket behind CloudFront
 * (origin access control, HTTPS only, security headers with the API in the CSP), the Cognito app
 * client's code + PKCE flow back to the portal, the portal's origin among the API's CORS origins,
 * no local sign-in route, and cdk-nag clean on everything the portal adds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCommonsApp } from '../../infra/app';
import { siteFiles } from '../../infra/constructs/portal';
import { distDirOf, ensurePortalBuilt } from '../../local/portal/build';
import { synthCommons, type CfnResource, type Synthesized } from './synth';

jest.setTimeout(300_000);

let synthesized: Synthesized;
const ofType = (type: string) => Object.entries(synthesized.resources).filter(([, r]) => r.Type === type);
const json = (value: unknown) => JSON.stringify(value);
const first = (type: string): CfnResource => ofType(type)[0]![1];

beforeAll(async () => {
  await ensurePortalBuilt('aws');
  synthesized = synthCommons({ portal: true });
});

it('keeps the build in a private bucket that only the distribution reads, through origin access control', () => {
  const oac = first('AWS::CloudFront::OriginAccessControl');
  expect(oac.Properties).toMatchObject({ OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' } });
  const site = ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('PortalSite'))!;
  expect(site[1].Properties).toMatchObject({
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
  });
  const policy = ofType('AWS::S3::BucketPolicy').find(([, r]) => json(r.Properties!.Bucket).includes('PortalSite'))!;
  const grants = (
    policy[1].Properties!.PolicyDocument as { Statement: { Effect: string; Principal?: unknown; Condition?: unknown }[] }
  ).Statement.filter((s) => s.Effect === 'Allow');
  // Readers: CloudFront for this distribution only; besides it, only S3 log delivery writes (the access log bucket's grant).
  const readers = grants.filter((g) => json(g.Principal).includes('cloudfront'));
  expect(readers.length).toBeGreaterThan(0);
  for (const g of readers) expect(json(g.Condition)).toMatch(/AWS:SourceArn.*PortalDistribution/);
  for (const g of grants)
    expect([{ Service: 'cloudfront.amazonaws.com' }, { Service: 'logging.s3.amazonaws.com' }]).toContainEqual(g.Principal);
});

it('serves over HTTPS only, with security headers whose CSP lets the page call the API and the managed login', () => {
  const distribution = first('AWS::CloudFront::Distribution');
  const config = distribution.Properties!.DistributionConfig as Record<string, unknown>;
  expect(config).toMatchObject({ DefaultRootObject: 'index.html', DefaultCacheBehavior: { ViewerProtocolPolicy: 'https-only' } });
  expect(json(config.CustomErrorResponses)).toContain('/index.html');
  const headers = first('AWS::CloudFront::ResponseHeadersPolicy');
  const security = json(headers.Properties);
  expect(security).toContain("frame-ancestors 'none'");
  expect(security).toContain('execute-api');
  expect(security).toContain('StrictTransportSecurity');
  expect(security).toMatch(/"FrameOption":"DENY"/);
});

it("signs people in with Cognito's managed login (authorization code, back to the portal) on the client the API verifies", () => {
  const client = first('AWS::Cognito::UserPoolClient');
  expect(client.Properties).toMatchObject({ AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true });
  expect(json(client.Properties!.CallbackURLs)).toContain('/auth/callback');
  expect(json(client.Properties!.CallbackURLs)).toContain('PortalDistribution');
  expect(ofType('AWS::Cognito::UserPoolDomain')).toHaveLength(1);
});

it("adds the portal's origin to the API's CORS origins, deploys its config, and has no local sign-in route", () => {
  const fn = ofType('AWS::Lambda::Function').find(([, r]) => json(r.Properties).includes('API_ORIGINS'))!;
  expect(json(fn[1].Properties)).toMatch(/API_ORIGINS.*PortalDistribution/);
  const [publish] = ofType('Custom::HilumPortalSite');
  expect(json(publish![1].Properties!.Config)).toMatch(/"apiUrl".*"mode":"aws".*PortalDistribution.*\/auth\/callback/);
  const paths = ofType('AWS::ApiGateway::Resource').map(([, r]) => String(r.Properties!.PathPart));
  expect(paths).toContain('search');
  expect(paths).not.toContain('local');
  expect(paths.filter((p) => p === 'token')).toEqual([]);
});

it("publishes with hilum's own Node 24 function: every function of the template runs nodejs24.x, and no CDK BucketDeployment", () => {
  const functions = ofType('AWS::Lambda::Function');
  expect(functions.length).toBeGreaterThan(0);
  expect(functions.filter(([, r]) => r.Properties!.Runtime !== 'nodejs24.x').map(([id]) => id)).toEqual([]);
  expect(ofType('Custom::CDKBucketDeployment')).toEqual([]);
  const publisher = ofType('AWS::Lambda::Function').filter(([, r]) => json(r.Metadata).includes('"PublishPortal"'));
  expect(publisher).toHaveLength(1);
  const [publish] = ofType('Custom::HilumPortalSite');
  expect(json(publish![1].Properties!.ServiceToken)).toContain(publisher[0]![0]);
});

it('lists every file of the build in the custom resource, each from its own single-file asset, and grants read on those objects only', () => {
  const build = distDirOf('aws');
  const [, publish] = ofType('Custom::HilumPortalSite')[0]!;
  const files = publish.Properties!.Files as { Key: string; AssetBucket: unknown; AssetKey: string }[];
  expect(files.map((f) => f.Key)).toEqual(siteFiles(build));
  expect(files.map((f) => f.Key)).toContain('index.html');
  expect(files.some((f) => f.Key.startsWith('assets/') && f.Key.endsWith('.wasm'))).toBe(true);
  for (const file of files) expect(file.AssetKey).toMatch(/^[0-9a-f]{64}\.[A-Za-z0-9]+$/);
  expect(new Set(files.map((f) => f.AssetKey)).size).toBe(files.length);

  const publisher = ofType('AWS::Lambda::Function').find(([, r]) => json(r.Metadata).includes('"PublishPortal"'))![1];
  const roleId = (publisher.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = ofType('AWS::IAM::Policy').filter(([, r]) => json(r.Properties!.Roles) === json([{ Ref: roleId }]));
  const statements = policies.flatMap(
    ([, r]) => (r.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
  );
  const reads = statements.filter((s) => json(s.Action).includes('s3:GetObject'));
  expect(reads).toHaveLength(1);
  const readResources = json(reads[0]!.Resource);
  for (const file of files) expect(readResources).toContain(file.AssetKey);
  expect(readResources).not.toMatch(/assets-[^"]*\/\*"/);
  const invalidation = statements.find((s) => json(s.Action).includes('cloudfront:CreateInvalidation'))!;
  expect(json(invalidation.Resource)).toContain('PortalDistribution');
});

it('leaves no unacknowledged cdk-nag finding on what the portal adds', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilum-portal-nag-'));
  try {
    const { app } = createCommonsApp({ nag: true, bundle: false, outdir, context: { portal: true } });
    try {
      app.synth();
    } catch {
      // the report below says why
    }
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[] }[];
    };
    const errors = report.pluginReports
      .flatMap((p) => p.violations)
      .filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName}: ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`);
    expect(errors).toEqual([]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
