import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ENV } from '../../common/env-names';
import { lazyConfig, requireEnv } from '../../common/config';
import { Unauthorized } from '../../common/errors';
import { callerFromClaims, type Caller } from '../../access/caller';

/**
 * Verifies the bearer token of an API request: a Cognito ID token (or the local
 * issuer's look-alike). In AWS the API Gateway Cognito authorizer checks the token
 * first; the handler checks it again here with the same code that runs locally, so
 * local mode proves the real path.
 */

/** Claims every Cognito ID token has; `iss` and `aud` are required by the issuer and audience checks. */
const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'token_use'];

const authConfig = lazyConfig(() => ({
  issuer: requireEnv(ENV.authIssuer),
  audience: requireEnv(ENV.authAudience),
  jwks: createRemoteJWKSet(new URL(requireEnv(ENV.authJwksUrl)), { cacheMaxAge: 10 * 60 * 1000 }),
}));

/** Verifies `Authorization: Bearer <jwt>`; throws Unauthorized (401) on anything wrong. */
export async function authenticate(headers: Record<string, string | undefined> | null | undefined): Promise<Caller> {
  const header = headerValue(headers, 'authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw new Unauthorized();
  const { issuer, audience, jwks } = authConfig();
  try {
    // Cognito always sets these; a token without them was not minted by the user pool, or is
    // not an ID token. `aud` is the app client id of an ID token (checked by `audience`).
    const { payload } = await jwtVerify(match[1], jwks, { issuer, audience, algorithms: ['RS256'], requiredClaims: REQUIRED_CLAIMS });
    // Only ID tokens, as API Gateway's Cognito authorizer on methods without OAuth scopes: an
    // access token (`token_use: access`, `client_id` instead of `aud`) is refused.
    if (payload.token_use !== 'id') throw new Unauthorized('an ID token is required');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new Unauthorized('the token has no subject');
    return callerFromClaims(payload);
  } catch (error) {
    if (error instanceof Unauthorized) throw error;
    throw new Unauthorized('the bearer token is invalid or expired');
  }
}

function headerValue(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}
