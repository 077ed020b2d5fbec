import { acceptsLocalSignIn, localTokenRequest } from '../../../local/portal/local-token';
import { contentSecurityPolicy, isPageRequest } from '../../../local/portal/site';

const KEY = 'k'.repeat(32);
const good = { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000', 'content-type': 'application/json', 'x-hilum-local-key': KEY };

describe("the local role picker's token route", () => {
  it('signs for the portal of the same loopback origin presenting the printed key (and for the Vite dev server on localhost)', () => {
    expect(acceptsLocalSignIn(good, KEY)).toBeUndefined();
    expect(acceptsLocalSignIn({ ...good, host: 'localhost:5173', origin: 'http://localhost:5173' }, KEY)).toBeUndefined();
  });

  it('refuses a wrong or missing key, another site (its Origin, or its own name resolved to 127.0.0.1), and non-JSON bodies', () => {
    expect(acceptsLocalSignIn({ ...good, 'x-hilum-local-key': 'k'.repeat(31) + 'x' }, KEY)?.status).toBe(403);
    expect(acceptsLocalSignIn({ ...good, 'x-hilum-local-key': undefined }, KEY)?.status).toBe(403);
    expect(acceptsLocalSignIn({ ...good, origin: 'https://evil.example' }, KEY)?.status).toBe(403);
    expect(acceptsLocalSignIn({ ...good, host: 'evil.example:3000' }, KEY)?.status).toBe(403);
    expect(acceptsLocalSignIn({ ...good, 'content-type': 'text/plain' }, KEY)?.status).toBe(415);
  });

  it('signs only the roles of the commons, with a safe user name', () => {
    const body = (o: unknown) => localTokenRequest(Buffer.from(JSON.stringify(o)));
    expect(body({ groups: ['site-uploader:site-a'] })).toEqual({
      groups: ['site-uploader:site-a'],
      username: 'local-site-uploader-site-a',
    });
    expect(body({ groups: ['dac'], username: 'ana.b' })).toEqual({ groups: ['dac'], username: 'ana.b' });
    expect(body({ groups: ['linker'], username: 'broker' })).toEqual({ groups: ['linker'], username: 'broker' });
    expect(body({ groups: ['evaluator'], username: 'model-team' })).toEqual({ groups: ['evaluator'], username: 'model-team' });
    for (const bad of [{ groups: [] }, { groups: ['root'] }, { groups: ['site-uploader:a/b'] }, { groups: ['admin'], username: 'a b' }, {}])
      expect(body(bad)).toHaveProperty('message');
    expect(localTokenRequest(Buffer.from('{'))).toHaveProperty('message');
  });

  it("lets the portal's page reach the API and the S3 emulator only, and never be framed", () => {
    const csp = contentSecurityPolicy('http://127.0.0.1:4569');
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:4569");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval;');
  });
});

describe('which GET the local portal answers with its page', () => {
  it("is a browser's navigation, or the root for any client without a token; never an API call", () => {
    expect(isPageRequest('/explore', { accept: 'text/html,application/xhtml+xml' })).toBe(true);
    expect(isPageRequest('/', { accept: '*/*' })).toBe(true);
    expect(isPageRequest('/index.html', {})).toBe(true);
    expect(isPageRequest('/studies', { accept: '*/*' })).toBe(false);
    expect(isPageRequest('/', { accept: 'text/html', authorization: 'Bearer x' })).toBe(false);
  });
});
