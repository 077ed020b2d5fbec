import { describeApiError } from '../../../web/src/lib/api-errors';
import { claimsOf, isExpired } from '../../../web/src/lib/jwt-claims';
import { authorizeUrl, codeExchangeBody, safeNext } from '../../../web/src/lib/oauth';
import { mayOpen, rolesOf, uploaderSitesOf } from '../../../web/src/lib/roles';
import { matchPath, pathOf } from '../../../web/src/lib/route-match';

const token = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;

describe('API errors said in words', () => {
  it('a 401 is a session that ended: sign in again and come back', () => {
    const e = describeApiError(401, { message: 'Unauthorized' }, { method: 'GET', path: '/search' });
    expect(e.kind).toBe('signed-out');
    expect(e.action).toMatch(/sign in again.*come back/i);
  });

  it('a 403 on data says what access is missing and offers an access request; elsewhere it names the role to ask for', () => {
    const data = describeApiError(403, { message: 'no grant for project lung-ct' }, { method: 'GET', path: '/cohorts/x/manifest' });
    expect(data).toMatchObject({ kind: 'forbidden', canRequestAccess: true });
    expect(data.message).toContain('no grant for project lung-ct');
    expect(data.action).toMatch(/request access/i);
    const role = describeApiError(403, { message: 'requires one of the roles: admin' }, { method: 'GET', path: '/audit' });
    expect(role).toMatchObject({ kind: 'forbidden', canRequestAccess: false });
    expect(role.action).toMatch(/administrator/i);
  });

  it('shows the server message of other 4xx, never the internals of a 5xx, and names a network failure', () => {
    expect(
      describeApiError(400, { message: 'invalid body: purpose: too short' }, { method: 'POST', path: '/access-requests' }).message,
    ).toBe('invalid body: purpose: too short');
    expect(describeApiError(400, { msg: 'bad id', status_code: 400 }, { method: 'GET', path: '/ga4gh/drs/v1/objects/x' }).message).toBe(
      'bad id',
    );
    expect(describeApiError(500, { message: 'TypeError at line 3' }, { method: 'GET', path: '/x' }).message).toBe(
      'The commons failed to answer.',
    );
    expect(describeApiError(0, undefined, { method: 'GET', path: '/x' }).kind).toBe('network');
  });
});

describe('the session read from the token', () => {
  it('reads username, groups and expiry as the API reads them, and refuses what is not a token', () => {
    expect(claimsOf(token({ sub: 's', 'cognito:username': 'ana', 'cognito:groups': ['researcher', 3], exp: 100 }))).toEqual({
      username: 'ana',
      groups: ['researcher'],
      exp: 100,
    });
    expect(claimsOf('nonsense')).toBeUndefined();
    expect(claimsOf(token({ sub: 's' }))).toBeUndefined();
  });

  it('treats a token as expired a minute early (clock skew)', () => {
    expect(isExpired(1000, 939_000)).toBe(false);
    expect(isExpired(1000, 940_000)).toBe(true);
  });

  it('maps groups to roles: any site-uploader:<site> makes a site uploader', () => {
    expect(rolesOf(['site-uploader:a', 'dac', 'unknown'])).toEqual(['dac', 'site-uploader']);
    expect(uploaderSitesOf(['site-uploader:a', 'researcher'])).toEqual(['a']);
    expect(mayOpen(['admin'], ['researcher'])).toBe(false);
    expect(mayOpen(['site-uploader'], ['site-uploader:b'])).toBe(true);
    expect(mayOpen('signed-in', [])).toBe(true);
  });
});

describe('sign-in redirects', () => {
  it('return only to a page of the portal (no open redirect)', () => {
    expect(safeNext('/explore?modality=CT')).toBe('/explore?modality=CT');
    for (const bad of ['https://evil.example', '//evil.example/x', '/\\evil.example', '/sign-in?next=/x', null, ''])
      expect(safeNext(bad)).toBe('/explore');
  });

  it('ask Cognito for an authorization code with a S256 PKCE challenge, and exchange it with the verifier', () => {
    const client = { domain: 'https://auth.example/', clientId: 'abc', redirectUri: 'https://portal.example/auth/callback' };
    const url = new URL(authorizeUrl(client, { challenge: 'CH', state: 'ST' }));
    expect(url.origin + url.pathname).toBe('https://auth.example/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'abc',
      code_challenge: 'CH',
      code_challenge_method: 'S256',
      state: 'ST',
      redirect_uri: 'https://portal.example/auth/callback',
    });
    expect(Object.fromEntries(codeExchangeBody(client, 'CODE', 'VER'))).toMatchObject({
      grant_type: 'authorization_code',
      code: 'CODE',
      code_verifier: 'VER',
    });
  });
});

describe('routes', () => {
  it('match path patterns with decoded parameters and build them back', () => {
    expect(matchPath('/cohorts/:cohortId', '/cohorts/a%2Fb')).toEqual({ cohortId: 'a/b' });
    expect(matchPath('/cohorts/:cohortId', '/cohorts')).toBeUndefined();
    expect(matchPath('/cohorts/:cohortId', '/cohorts/%E0%A4%A')).toBeUndefined();
    expect(matchPath('/', '/')).toEqual({});
    expect(pathOf('/cohorts/:cohortId', { cohortId: 'a/b' })).toBe('/cohorts/a%2Fb');
  });
});
