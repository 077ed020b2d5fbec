import { claimsOf, isExpired, type SessionClaims } from '../lib/jwt-claims';

/**
 * The signed-in person's tokens. Kept in sessionStorage (one tab's session, gone when the
 * tab closes); the refresh token (AWS only) with them. Listeners re-render the shell.
 */

export interface Session extends SessionClaims {
  readonly idToken: string;
  readonly refreshToken?: string;
}

const KEY = 'hilum.session';
const listeners = new Set<() => void>();

export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return undefined;
  try {
    const stored = JSON.parse(raw) as { idToken: string; refreshToken?: string };
    const claims = claimsOf(stored.idToken);
    if (!claims) return undefined;
    return { ...claims, idToken: stored.idToken, ...(stored.refreshToken ? { refreshToken: stored.refreshToken } : {}) };
  } catch {
    return undefined;
  }
}

/** A session whose ID token is still good now, else undefined. */
export function liveSession(): Session | undefined {
  const session = currentSession();
  return session && !isExpired(session.exp, Date.now()) ? session : undefined;
}

export function startSession(idToken: string, refreshToken?: string): Session {
  const claims = claimsOf(idToken);
  if (!claims) throw new Error('the sign-in answered a token the portal cannot read');
  sessionStorage.setItem(KEY, JSON.stringify({ idToken, ...(refreshToken ? { refreshToken } : {}) }));
  notify();
  return { ...claims, idToken, ...(refreshToken ? { refreshToken } : {}) };
}

export function endSession(): void {
  sessionStorage.removeItem(KEY);
  notify();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(): void {
  for (const l of listeners) l();
}
