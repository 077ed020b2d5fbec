/**
 * OAuth 2.0 authorization code with PKCE against Cognito's managed login: the URLs and
 * form bodies, pure (the browser's crypto makes the verifier; auth/cognito.ts does I/O).
 */

export interface OAuthClient {
  readonly domain: string;
  readonly clientId: string;
  readonly redirectUri: string;
}

export const SCOPES = ['openid', 'email', 'profile'];

export function authorizeUrl(client: OAuthClient, pkce: { readonly challenge: string; readonly state: string }): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: SCOPES.join(' '),
    state: pkce.state,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  });
  return `${client.domain.replace(/\/+$/, '')}/oauth2/authorize?${q}`;
}

export function tokenUrl(client: OAuthClient): string {
  return `${client.domain.replace(/\/+$/, '')}/oauth2/token`;
}

export function codeExchangeBody(client: OAuthClient, code: string, verifier: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: client.clientId,
    code,
    redirect_uri: client.redirectUri,
    code_verifier: verifier,
  });
}

export function refreshBody(client: OAuthClient, refreshToken: string): URLSearchParams {
  return new URLSearchParams({ grant_type: 'refresh_token', client_id: client.clientId, refresh_token: refreshToken });
}

export function base64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Only a path inside the portal may be returned to after sign-in (no open redirect). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/explore';
  if (next.startsWith('/sign-in') || next.startsWith('/auth/')) return '/explore';
  return next;
}
