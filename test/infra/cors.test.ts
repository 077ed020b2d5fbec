/**
 * CORS on AWS (issue 11, sibling of S14; issue 15): no web page may drive the commons' buckets or
 * API from a browser unless a deployment names its origin exactly. By default the intake
 * bucket has no CORS rule (the CLI and the gateway need none), the released bucket only one
 * that lets any page GET and HEAD what a presigned URL names (a browser follows the API's 303
 * with `Origin: null`), and the API answers no preflight; `uploadOrigins` adds exact origins to intake only,
 * `apiOrigins` to the API (preflights by API Gateway, headers by the handlers), and `*` or
 * a wildcard is refused at synth. The API's binary media types are `*\/*`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCommonsApp } from '../../infra/app';
import { CfnResource, Json, Synthesized, byMetadata, ofType, synthCommons } from './synth';

const props = (r: CfnResource): Json => r.Properties ?? {};
const PORTAL = 'https://portal.example.org';
/** Reads only (no PUT, POST, DELETE), from any origin (a followed redirect sends `Origin: null`), without credentials. */
const RELEASED_RULE = {
  CorsRules: [
    {
      AllowedMethods: ['GET', 'HEAD'],
      AllowedOrigins: ['*'],
      AllowedHeaders: ['*'],
      ExposedHeaders: ['Content-Length', 'Content-Type', 'ETag'],
      MaxAge: 3000,
    },
  ],
};

describe('CORS by default', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthCommons();
  });

  it('gives no bucket a CORS rule, intake included, but the released one its GET/HEAD rule for presigned reads', () => {
    const buckets = ofType(s.resources, 'AWS::S3::Bucket');
    expect(buckets.map(([, b]) => b.Metadata?.['hilum:bucket']).sort()).toEqual(['access-logs', 'intake', 'quarantine', 'released']);
    for (const [, bucket] of buckets) {
      if (bucket.Metadata?.['hilum:bucket'] === 'released') expect(props(bucket).CorsConfiguration).toEqual(RELEASED_RULE);
      else expect(props(bucket).CorsConfiguration).toBeUndefined();
    }
  });

  it('gives the API no preflight method and no CORS header in any method or gateway response', () => {
    const methods = ofType(s.resources, 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(0);
    expect(methods.filter(([, m]) => props(m).HttpMethod === 'OPTIONS')).toEqual([]);
    const apiResources = Object.values(s.resources).filter((r) => r.Type.startsWith('AWS::ApiGateway::'));
    expect(JSON.stringify(apiResources)).not.toMatch(/Access-Control-/i);
  });
});

describe('CORS with a portal origin', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthCommons({ uploadOrigins: `["${PORTAL}"]` });
  });

  it('lets that exact origin PUT to intake (exposing the ETag multipart uploads read), and nothing else', () => {
    expect(props(byMetadata(s.resources, 'hilum:bucket', 'intake')[1]).CorsConfiguration).toEqual({
      CorsRules: [{ AllowedMethods: ['PUT'], AllowedOrigins: [PORTAL], AllowedHeaders: ['*'], ExposedHeaders: ['ETag'], MaxAge: 3000 }],
    });
    for (const name of ['quarantine', 'access-logs']) {
      expect(props(byMetadata(s.resources, 'hilum:bucket', name)[1]).CorsConfiguration).toBeUndefined();
    }
    expect(props(byMetadata(s.resources, 'hilum:bucket', 'released')[1]).CorsConfiguration).toEqual(RELEASED_RULE);
  });
});

describe('binary media types', () => {
  it('makes every media type binary, so a base64 answer is sent as bytes whatever Accept a browser or viewer sends', () => {
    const s = synthCommons();
    const [, api] = ofType(s.resources, 'AWS::ApiGateway::RestApi')[0]!;
    expect(props(api).BinaryMediaTypes).toEqual(['*/*']);
  });
});

describe('API CORS with a portal origin (apiOrigins)', () => {
  let s: Synthesized;
  const methods = () => ofType(s.resources, 'AWS::ApiGateway::Method').map(([, m]) => props(m));
  const pathOf = (resourceId: unknown): string => {
    const id = (resourceId as { Ref?: string }).Ref;
    if (!id) return '';
    const resource = props(s.resources[id]!);
    return `${pathOf(resource.ParentId)}/${String(resource.PathPart)}`;
  };
  beforeAll(() => {
    s = synthCommons({ apiOrigins: `["${PORTAL}"]` });
  });

  it('gives every resource with methods a preflight answered by API Gateway for that origin, converted to text', () => {
    const others = methods().filter((m) => m.HttpMethod !== 'OPTIONS');
    const preflights = methods().filter((m) => m.HttpMethod === 'OPTIONS');
    const resourcesWithMethods = new Set(others.map((m) => JSON.stringify(m.ResourceId)));
    expect(new Set(preflights.map((m) => JSON.stringify(m.ResourceId)))).toEqual(resourcesWithMethods);
    for (const preflight of preflights) {
      expect(preflight.AuthorizationType).toBe('NONE');
      const integration = preflight.Integration as Json;
      expect(integration).toMatchObject({ Type: 'MOCK', ContentHandling: 'CONVERT_TO_TEXT' });
      const response = (integration.IntegrationResponses as Json[])[0]!;
      expect(response).toMatchObject({ StatusCode: '204', ContentHandling: 'CONVERT_TO_TEXT' });
      const headers = response.ResponseParameters as Record<string, string>;
      expect(headers['method.response.header.Access-Control-Allow-Origin']).toBe(`'${PORTAL}'`);
      expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe("'Authorization,Content-Type,Accept,X-Hilum-Submission'");
      // The resource's own methods, and only those.
      const own = others.filter((m) => JSON.stringify(m.ResourceId) === JSON.stringify(preflight.ResourceId)).map((m) => m.HttpMethod);
      expect(headers['method.response.header.Access-Control-Allow-Methods']).toBe(`'${own.join(',')}'`);
    }
    // STOW-RS and QIDO-RS share /dicomweb/studies: the portal may GET and POST there.
    const studies = preflights.find((m) => pathOf(m.ResourceId) === '/dicomweb/studies')!;
    const allowed = ((studies.Integration as Json).IntegrationResponses as Json[])[0]!.ResponseParameters as Record<string, string>;
    expect(allowed['method.response.header.Access-Control-Allow-Methods']).toMatch(/GET/);
    expect(allowed['method.response.header.Access-Control-Allow-Methods']).toMatch(/POST/);
  });

  it("tells every API function the origin, so the handlers' answers carry CORS headers for it (and none by default)", () => {
    const apiFunctions = ofType(s.resources, 'AWS::Lambda::Function').filter(([, f]) => {
      const vars = ((props(f).Environment as Json | undefined)?.Variables ?? {}) as Json;
      return 'AUTH_ISSUER' in vars;
    });
    expect(apiFunctions.length).toBeGreaterThan(20);
    for (const [, fn] of apiFunctions) {
      expect(((props(fn).Environment as Json).Variables as Json).API_ORIGINS).toBe(`["${PORTAL}"]`);
    }
    for (const [, fn] of ofType(synthCommons().resources, 'AWS::Lambda::Function')) {
      const vars = ((props(fn).Environment as Json | undefined)?.Variables ?? {}) as Json;
      if ('AUTH_ISSUER' in vars) expect(vars.API_ORIGINS).toBe('[]');
    }
  });

  it('passes cdk-nag with a preflight on every resource (no acknowledgement needed: its rules on authorizers exempt OPTIONS)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'hilum-nag-cors-'));
    try {
      const { app } = createCommonsApp({ nag: true, bundle: false, outdir, context: { apiOrigins: `["${PORTAL}"]` } });
      expect(() => app.synth()).not.toThrow();
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { violations: { severity: string; ruleName: string }[] }[];
      };
      expect(report.pluginReports.flatMap((p) => p.violations.filter((v) => v.severity === 'error').map((v) => v.ruleName))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("gives API Gateway's own refusals (authorizer 401, throttling, 5xx) the origin when it is the only one", () => {
    const responses = ofType(s.resources, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => props(r));
    expect(responses.map((r) => r.ResponseType).sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
    for (const r of responses) {
      expect(r.ResponseParameters).toEqual({
        'gatewayresponse.header.Access-Control-Allow-Origin': `'${PORTAL}'`,
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
    const two = synthCommons({ apiOrigins: `["${PORTAL}","http://localhost:5173"]` });
    expect(ofType(two.resources, 'AWS::ApiGateway::GatewayResponse')).toEqual([]);
  });
});

describe('origins refused at synth', () => {
  it.each([
    ['*', '*'],
    ['* in a JSON list', '["https://portal.example.org","*"]'],
    ['a wildcard subdomain', '["https://*.example.org"]'],
    ['plain http to a public host', '["http://portal.example.org"]'],
    ['a path', '["https://portal.example.org/upload"]'],
    ['a trailing slash', '["https://portal.example.org/"]'],
    ['not a URL', '["portal.example.org"]'],
  ])('refuses %s with a clear error', (_what, value) => {
    expect(() => createCommonsApp({ bundle: false, context: { uploadOrigins: value } })).toThrow(
      /hilum: context 'uploadOrigins'.*is not allowed/,
    );
  });

  it.each([
    ['*', '*'],
    ['a wildcard subdomain', '["https://*.example.org"]'],
    ['plain http to a public host', '["http://portal.example.org"]'],
  ])('refuses %s as an API origin with a clear error', (_what, value) => {
    expect(() => createCommonsApp({ bundle: false, context: { apiOrigins: value } })).toThrow(
      /hilum: context 'apiOrigins'.*is not allowed/,
    );
  });

  it('accepts exact https origins and a loopback origin for a portal under development', () => {
    const { stack } = createCommonsApp({ bundle: false, context: { uploadOrigins: `["${PORTAL}","http://localhost:5173"]` } });
    expect(stack.storage.intake).toBeDefined();
  });
});
