import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The Secure Remote Password arithmetic of Cognito's USER_SRP_AUTH flow (SRP-6a over the
 * 3072-bit group of RFC 5054 with g = 2 and SHA-256, plus Cognito's key derivation and
 * password-claim signature). The password never leaves the machine: the client proves it
 * knows it by a signature only someone holding it (or the pool's verifier) can compute.
 */

export const SRP_N = BigInt(
  '0x' +
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
    'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
    'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);
export const SRP_G = 2n;

/** Cognito's hex form of a number: even length, and a leading 00 when the top bit is set (a positive two's complement). */
export function padHex(value: bigint): string {
  const hex = value.toString(16);
  const even = hex.length % 2 === 1 ? `0${hex}` : hex;
  return '89abcdef'.includes(even[0]!) ? `00${even}` : even;
}

/** SHA-256 of the bytes a hex string spells, as a hex string. */
export function hashHex(hex: string): string {
  return createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** k = H(N | g), the multiplier of SRP-6a. */
export const SRP_K = BigInt(`0x${hashHex(padHex(SRP_N) + padHex(SRP_G))}`);

/** u = H(A | B): both public values scramble the exponent. */
export function scrambler(A: bigint, B: bigint): bigint {
  return BigInt(`0x${hashHex(padHex(A) + padHex(B))}`);
}

/** x = H(salt | H(poolName | userId ":" password)): the private value the verifier g^x is made of. */
export function passwordExponent(poolName: string, userId: string, password: string, saltHex: string): bigint {
  const inner = createHash('sha256').update(`${poolName}${userId}:${password}`, 'utf8').digest('hex');
  return BigInt(`0x${hashHex(padHex(BigInt(`0x${saltHex}`)) + inner)}`);
}

/** Cognito's derived key: 16 bytes of HKDF-SHA256(salt = u, key material = S, info "Caldera Derived Key"). */
export function derivedKey(S: bigint, u: bigint): Buffer {
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
    .update(Buffer.from(padHex(S), 'hex'))
    .digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
}

/** The password claim's signature: HMAC-SHA256 of pool name, user id, the server's secret block and the timestamp. */
export function claimSignature(key: Buffer, poolName: string, userId: string, secretBlockBase64: string, timestamp: string): string {
  return createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(poolName, 'utf8'),
        Buffer.from(userId, 'utf8'),
        Buffer.from(secretBlockBase64, 'base64'),
        Buffer.from(timestamp, 'utf8'),
      ]),
    )
    .digest('base64');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The claim's timestamp as Cognito expects it: `Sun Dec 6 14:05:09 UTC 2026` (day of month not padded). */
export function claimTimestamp(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[at.getUTCDay()]} ${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()} ` +
    `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} UTC ${at.getUTCFullYear()}`
  );
}

/** The client's ephemeral secret a and public value A = g^a (never 0 mod N). */
export function clientEphemeral(random: (size: number) => Buffer = randomBytes): { a: bigint; A: bigint } {
  for (;;) {
    const a = BigInt(`0x${random(128).toString('hex')}`) % SRP_N;
    const A = modPow(SRP_G, a, SRP_N);
    if (a !== 0n && A !== 0n) return { a, A };
  }
}

export class SrpError extends Error {
  override readonly name = 'SrpError';
}

/**
 * The answer to Cognito's PASSWORD_VERIFIER challenge: S = (B - k g^x)^(a + u x) mod N,
 * its derived key, and the signed claim. Refuses a server value B that is 0 mod N (an attack
 * on the protocol) or a scrambler of 0.
 */
export function passwordClaim(input: {
  poolName: string;
  userId: string;
  password: string;
  saltHex: string;
  serverBHex: string;
  secretBlock: string;
  a: bigint;
  A: bigint;
  now: Date;
}): { signature: string; timestamp: string } {
  const B = BigInt(`0x${input.serverBHex}`);
  if (B % SRP_N === 0n) throw new SrpError('the sign-in service sent an invalid SRP value');
  const u = scrambler(input.A, B);
  if (u === 0n) throw new SrpError('the sign-in service sent an invalid SRP value');
  const x = passwordExponent(input.poolName, input.userId, input.password, input.saltHex);
  const base = (((B - SRP_K * modPow(SRP_G, x, SRP_N)) % SRP_N) + SRP_N) % SRP_N;
  const S = modPow(base, input.a + u * x, SRP_N);
  const timestamp = claimTimestamp(input.now);
  return { signature: claimSignature(derivedKey(S, u), input.poolName, input.userId, input.secretBlock, timestamp), timestamp };
}
