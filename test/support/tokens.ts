/**
 * Tokens signed with the local commons' own key but with claims a test chooses, to
 * prove what the handlers' verifier refuses (a missing `exp`, a wrong `token_use`,
 * another client id...). The claims default to what the local issuer mints.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, localSubject } from '../../local/auth/local-issuer';

/** Claims of a compliant local ID token; `undefined` removes a claim. */
export function idTokenClaims(username: string, groups: readonly string[]): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    sub: localSubject(username),
    token_use: 'id',
    'cognito:username': username,
    'cognito:groups': [...groups],
    auth_time: now,
    iat: now,
    exp: now + 600,
    jti: randomUUID(),
  };
}

/** Signs `claims` (RS256) with the signing key of the commons' data directory. */
export async function signWithLocalKey(dataDir: string, claims: Record<string, unknown>): Promise<string> {
  const stored = JSON.parse(await readFile(join(dataDir, 'auth', 'signing-key.json'), 'utf8')) as { kid: string; privateJwk: JWK };
  const payload: JWTPayload = {};
  for (const [name, value] of Object.entries(claims)) if (value !== undefined) payload[name] = value;
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: stored.kid }).sign(await importJWK(stored.privateJwk, 'RS256'));
}
