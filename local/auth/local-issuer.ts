import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * A local stand-in for the Cognito user pool: RS256 ID tokens with Cognito's claims,
 * signed by a key pair generated once per data directory. The handlers verify them
 * with the same code (jose against a JWKS URL) as Cognito's tokens in AWS.
 */

/** Stable across runs and ports, so tokens survive a restart of the commons. */
export const LOCAL_ISSUER = 'http://127.0.0.1/hilum-local';
export const LOCAL_AUDIENCE = 'hilum-local';
export const JWKS_PATH = '/.well-known/jwks.json';
const DEFAULT_TTL_SECONDS = 12 * 60 * 60;
const ALG = 'RS256';

interface StoredKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

export interface IssueTokenOptions {
  readonly dataDir: string;
  /** Default `local-user`. */
  readonly username?: string;
  /** `cognito:groups`, e.g. `['curator']` or `['site-uploader:demo-site']`. */
  readonly groups: readonly string[];
  /** Default 12 hours. */
  readonly ttlSeconds?: number;
}

const keyFile = (dataDir: string) => path.join(dataDir, 'auth', 'signing-key.json');

/** Loads the signing key of `dataDir`, creating it on first use. */
async function signingKey(dataDir: string): Promise<StoredKey> {
  const file = keyFile(dataDir);
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as StoredKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const stored: StoredKey = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG, use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: ALG, use: 'sig' },
  };
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
    return stored;
  } catch (error) {
    // Another process (the CLI, the commons) created it meanwhile: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(await fs.readFile(file, 'utf8')) as StoredKey;
    throw error;
  }
}

/** The public key set served at `/.well-known/jwks.json`. */
export async function localJwks(dataDir: string): Promise<{ keys: JWK[] }> {
  const { publicJwk } = await signingKey(dataDir);
  return { keys: [publicJwk] };
}

/** A deterministic UUID (v5-style, SHA-1) for a username, so `sub` is stable across runs. */
export function localSubject(username: string): string {
  const hash = createHash('sha1').update(`hilum-local:${username}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A Cognito-like ID token. Works without a running commons: the key lives in
 * `<dataDir>/auth/signing-key.json` (the CLI's `hilum token` calls this).
 */
export async function issueLocalToken(options: IssueTokenOptions): Promise<string> {
  const username = options.username ?? 'local-user';
  const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isFinite(ttl) || ttl <= 0) throw new RangeError('ttlSeconds must be a positive number');
  const { kid, privateJwk } = await signingKey(options.dataDir);
  const key = await importJWK(privateJwk, ALG);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_use: 'id',
    'cognito:username': username,
    'cognito:groups': [...options.groups],
    auth_time: now,
    event_id: randomUUID(),
    origin_jti: randomUUID(),
  })
    .setProtectedHeader({ alg: ALG, kid })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(localSubject(username))
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + Math.floor(ttl))
    .sign(key);
}
