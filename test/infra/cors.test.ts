/**
 * CORS on AWS (issue 11, sibling of S14): no web page may drive the commons' buckets or
 * API from a browser unless a deployment names its origin exactly. By default the intake
 * bucket has no CORS rule (the CLI and the gateway need none), no other bucket has one,
 * and the API answers no preflight; `uploadOrigins` adds exact origins to intake only,
 * and `*` or a wildcard is refused at synth.
 */
import { createCommonsApp } from '../../infra/app';
import { CfnResource, Json, Synthesized, byMetadata, ofType, synthCommons } from './synth';

const props = (r: CfnResource): Json => r.Properties ?? {};
const PORTAL = 'https://portal.example.org';

describe('CORS by default', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthCommons();
  });

  it('gives no bucket a CORS rule, intake included', () => {
    const buckets = ofType(s.resources, 'AWS::S3::Bucket');
    expect(buckets.map(([, b]) => b.Metadata?.['hilum:bucket']).sort()).toEqual(['access-logs', 'intake', 'quarantine', 'released']);
    for (const [, bucket] of buckets) expect(props(bucket).CorsConfiguration).toBeUndefined();
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
    for (const name of ['quarantine', 'released', 'access-logs']) {
      expect(props(byMetadata(s.resources, 'hilum:bucket', name)[1]).CorsConfiguration).toBeUndefined();
    }
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

  it('accepts exact https origins and a loopback origin for a portal under development', () => {
    const { stack } = createCommonsApp({ bundle: false, context: { uploadOrigins: `["${PORTAL}","http://localhost:5173"]` } });
    expect(stack.storage.intake).toBeDefined();
  });
});
