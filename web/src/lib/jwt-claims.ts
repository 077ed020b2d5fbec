/**
 * What the portal reads from its own ID token: who, which groups, until when. The token
 * is not verified here (the API verifies every request); this only decides what to show.
 */

export interface SessionClaims {
  readonly username: string;
  readonly groups: readonly string[];
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

export function claimsOf(token: string): SessionClaims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  let claims: Record<string, unknown>;
  try {
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null || typeof claims.exp !== 'number') return undefined;
  const rawGroups = claims['cognito:groups'];
  const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : [];
  const username =
    typeof claims['cognito:username'] === 'string' ? claims['cognito:username'] : typeof claims.sub === 'string' ? claims.sub : '';
  return { username, groups, exp: claims.exp };
}

/** Whether a token expiring at `exp` should be treated as gone at `nowMs` (a minute's margin for clock skew). */
export function isExpired(exp: number, nowMs: number): boolean {
  return exp * 1000 - 60_000 <= nowMs;
}
