/**
 * Cognito's SRP arithmetic checked against a vector computed by another implementation:
 * amazon-cognito-identity-js 6.x's AuthenticationHelper (AWS's own browser SDK), with its
 * ephemeral secret fixed, run once outside this repository. A difference in any step
 * (hex padding, k, u, x, the key derivation, the signed message, the timestamp) changes the signature.
 */
import { claimTimestamp, modPow, padHex, passwordClaim, SRP_G, SRP_N, SrpError } from '../../../cli/lib/srp';

const VECTOR = {
  poolName: 'AbCdEfGhI',
  userId: 'user-id-1234',
  password: 'Correct-Horse-9!',
  a: BigInt(
    '0x' +
      '9938c4df56795567396eaa4baa758a29cdc3c8c2d6a90cfb1f996ccb6092c01a5b9002904176b7aaf99692a50e5107cb' +
      '55a86d86ee3f2c9405a67539f36bdd4b89523cdea9dcbb861a25bda8aca8354c5f888e0d9cdabd548780183817aaf80d' +
      '45fbe8898f613a09a44d0da418c437e0777e95d54b449120d6657a83e686c7bb',
  ),
  A:
    '77b0ee6f9468e645f31f25718cda9b928388e57780030a7d291de81bad836a9d08896d59d087cad1c4484ca29e5468f3' +
    '9381f55a4a9901bdda69b6a34b934662f5d824d0e41a37c1468ab1f0026a983f22a4b816eeb11140f14002248aacb746' +
    '52c0d45282a3ed86ce55ec5e366d02a3908e31c2d20cffa04ebcb5df668c1d52f75a31b37fc8781d8f6b20fb4a978b57' +
    'f9dd8344e093a6dae379858eb4b05c3585778464fd96643b4101d16f428a206d2bd994d000d173828e875c0d108cd349' +
    '897ded94cbe15d92d2ba931195054cf454af64e5a80234ffa7df50cd4ef66ff5bef1e6d63c620e3045412f3dba919746' +
    '2e79f8516e67cb42a5396474252347a82d8b2cee193b63fa955f4b1ac38af853ebdc4d5752ceb5273bffe92b2f06e0df' +
    'e31cea38a002cb957f9f30889155fcbcb300a2ca305648968a16980429da7df999cad647ff32d2fe1acb72860d7c7e77' +
    '9cb14f2b40e3b22ed306f644aa498eab7c43a601bb102a062413a4f0f221793ff1f291dd5487d47c138558a6edbebc4e',
  serverB:
    '2cdd8d5da6d3d705c8215eb5ad99858be633ade96129f11ce4e39559602c3a26c333e067ad89a6c7c59d78c7608a4c74' +
    '0b69f3282aa35485b19166fc3637b59eab',
  salt: '9f1b2c3d4e5f60718293a4b5c6d7e8f9',
  secretBlock: 'c2VjcmV0IGJsb2NrIGJ5dGVz',
  timestamp: 'Sun Dec 6 14:05:09 UTC 2026',
  signature: 'rvuiJp1RIPAsoOtKvQoLrouE0lfkXUED5hagaUgCjvI=',
};

describe('Cognito SRP', () => {
  it('computes A = g^a and the password claim signature exactly as amazon-cognito-identity-js does', () => {
    const A = modPow(SRP_G, VECTOR.a, SRP_N);
    expect(A.toString(16)).toBe(VECTOR.A);
    const claim = passwordClaim({
      poolName: VECTOR.poolName,
      userId: VECTOR.userId,
      password: VECTOR.password,
      saltHex: VECTOR.salt,
      serverBHex: VECTOR.serverB,
      secretBlock: VECTOR.secretBlock,
      a: VECTOR.a,
      A,
      now: new Date('2026-12-06T14:05:09Z'),
    });
    expect(claim).toEqual({ timestamp: VECTOR.timestamp, signature: VECTOR.signature });
    // Another password gives another signature.
    expect(
      passwordClaim({
        ...VECTOR,
        password: 'Correct-Horse-8!',
        saltHex: VECTOR.salt,
        serverBHex: VECTOR.serverB,
        A,
        now: new Date('2026-12-06T14:05:09Z'),
      }).signature,
    ).not.toBe(VECTOR.signature);
  });

  it('pads hex as Cognito does: even length, 00 before a set top bit', () => {
    expect(padHex(0xfn)).toBe('0f');
    expect(padHex(0x7fn)).toBe('7f');
    expect(padHex(0x80n)).toBe('0080');
    expect(padHex(0x1abcn)).toBe('1abc');
  });

  it('writes the timestamp with an unpadded day of month, in UTC', () => {
    expect(claimTimestamp(new Date('2027-01-02T03:04:05Z'))).toBe('Sat Jan 2 03:04:05 UTC 2027');
    expect(claimTimestamp(new Date('2026-12-16T23:59:59Z'))).toBe('Wed Dec 16 23:59:59 UTC 2026');
  });

  it('refuses a server value B that is 0 mod N (which would make the session key predictable)', () => {
    const A = modPow(SRP_G, VECTOR.a, SRP_N);
    const claim = () => passwordClaim({ ...VECTOR, saltHex: VECTOR.salt, serverBHex: SRP_N.toString(16), A, now: new Date() });
    expect(claim).toThrow(SrpError);
  });
});
