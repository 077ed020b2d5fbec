import { corsHeaders, parseOrigins } from '../../../layers/common/cors';

const PORTAL = 'https://portal.example.org';

describe('CORS headers of API answers', () => {
  it('lets exactly a named origin read the answer', () => {
    expect(corsHeaders(PORTAL, [PORTAL])).toEqual({
      'access-control-allow-origin': PORTAL,
      'access-control-expose-headers': 'Location,Warning,Content-Length,Content-Location,X-Hilum-Source-Size',
      vary: 'Origin',
    });
  });

  it.each([
    ['another origin', 'https://elsewhere.example.org'],
    ['a prefix of the named one', 'https://portal.example.or'],
    ['the named host on another scheme', 'http://portal.example.org'],
    ['no origin (not a browser)', undefined],
  ])('gives %s no Access-Control header', (_what, origin) => {
    expect(corsHeaders(origin, [PORTAL])).toEqual({ vary: 'Origin' });
  });

  it('adds nothing at all when the deployment names no origin', () => {
    expect(corsHeaders(PORTAL, [])).toEqual({});
  });

  it('reads the origins from a JSON list, and anything else as none', () => {
    expect(parseOrigins(`["${PORTAL}"]`)).toEqual([PORTAL]);
    expect(parseOrigins(undefined)).toEqual([]);
    expect(parseOrigins('')).toEqual([]);
    expect(parseOrigins('*')).toEqual([]);
    expect(parseOrigins('{"origin":"x"}')).toEqual([]);
    expect(parseOrigins('[1, "https://a.example.org"]')).toEqual(['https://a.example.org']);
  });
});
