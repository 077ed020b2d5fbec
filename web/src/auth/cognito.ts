import { config } from '../config';
import { authorizeUrl, base64Url, codeExchangeBody, refreshBody, safeNext, tokenUrl, type OAuthClient } from '../lib/oauth';
import { currentSession, startSession } from './session';

/** Cognito's managed login (authorization code + PKCE; MFA is the pool's business) and token refresh. */

const PENDING = 'hilum.oauth.pending';

function client(): OAuthClient {
  const cognito = config().cognito;
  if (!cognito) throw new Error('this deployment has no Cognito sign-in configured');
  return cognito;
}

export async function startCognitoSignIn(next: string): Promise<void> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(48)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, next: safeNext(next) }));
  location.assign(authorizeUrl(client(), { challenge, state }));
}

/** Finishes the sign-in on `/auth/callback`; resolves to the page to return to. */
export async function completeCognitoSignIn(query: URLSearchParams): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; next: string } | null;
  sessionStorage.removeItem(PENDING);
  const code = query.get('code');
  if (!pending || !code || query.get('state') !== pending.state)
    throw new Error('The sign-in could not be completed; please sign in again.');
  const response = await fetch(tokenUrl(client()), { method: 'POST', body: codeExchangeBody(client(), code, pending.verifier) });
  if (!response.ok) throw new Error('The sign-in service refused the sign-in; please sign in again.');
  const tokens = (await response.json()) as { id_token: string; refresh_token?: string };
  startSession(tokens.id_token, tokens.refresh_token);
  return pending.next;
}

/** A new ID token from the refresh token; false when there is none or it no longer works. */
export async function refreshCognitoSession(): Promise<boolean> {
  const refreshToken = currentSession()?.refreshToken;
  if (!refreshToken || !config().cognito) return false;
  const response = await fetch(tokenUrl(client()), { method: 'POST', body: refreshBody(client(), refreshToken) }).catch(() => undefined);
  if (!response?.ok) return false;
  const tokens = (await response.json()) as { id_token: string };
  startSession(tokens.id_token, refreshToken);
  return true;
}
