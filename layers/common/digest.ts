/**
 * SHA-256 and HMAC-SHA-256 wherever the pure layers run: Node's crypto when the runtime has it
 * (reached through process.getBuiltinModule, so no bundle for a browser names node:crypto), else
 * a plain TypeScript SHA-256 (FIPS 180-4) for the portal's de-identification worker. Both give
 * the same digests (test/unit/common/digest.test.ts), so pseudonyms, remapped UIDs and date
 * shifts made in a browser equal the pipeline's.
 */
import { encodeText } from './bytes';

export interface Sha256 {
  update(bytes: Uint8Array): Sha256;
  digest(): Uint8Array;
}

interface DigestImpl {
  sha256(): Sha256;
  hmacSha256(secret: string, message: string): Uint8Array;
}

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

class PortableSha256 implements Sha256 {
  private readonly state = Uint32Array.from(INITIAL);
  private readonly block = new Uint8Array(64);
  private readonly words = new Uint32Array(64);
  private filled = 0;
  private length = 0;

  update(bytes: Uint8Array): Sha256 {
    this.length += bytes.byteLength;
    let at = 0;
    while (at < bytes.byteLength) {
      const take = Math.min(64 - this.filled, bytes.byteLength - at);
      this.block.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === 64) {
        this.compress();
        this.filled = 0;
      }
    }
    return this;
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    this.block[this.filled++] = 0x80;
    if (this.filled > 56) {
      this.block.fill(0, this.filled);
      this.compress();
      this.filled = 0;
    }
    this.block.fill(0, this.filled, 56);
    const view = new DataView(this.block.buffer);
    view.setUint32(56, Math.floor(bits / 0x100000000));
    view.setUint32(60, bits >>> 0);
    this.compress();
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    this.state.forEach((word, i) => outView.setUint32(i * 4, word));
    return out;
  }

  private compress(): void {
    const w = this.words;
    const b = this.block;
    for (let i = 0; i < 16; i++) w[i] = ((b[i * 4]! << 24) | (b[i * 4 + 1]! << 16) | (b[i * 4 + 2]! << 8) | b[i * 4 + 3]!) >>> 0;
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0;
    }
    const s = this.state;
    let [a, bb, c, d, e, f, g, h] = [s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!, s[6]!, s[7]!];
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[i]! + w[i]!) >>> 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & bb) ^ (a & c) ^ (bb & c);
      const t2 = (S0 + maj) >>> 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = bb;
      bb = a;
      a = (t1 + t2) >>> 0;
    }
    s[0] = (s[0]! + a) >>> 0;
    s[1] = (s[1]! + bb) >>> 0;
    s[2] = (s[2]! + c) >>> 0;
    s[3] = (s[3]! + d) >>> 0;
    s[4] = (s[4]! + e) >>> 0;
    s[5] = (s[5]! + f) >>> 0;
    s[6] = (s[6]! + g) >>> 0;
    s[7] = (s[7]! + h) >>> 0;
  }
}

/** The plain TypeScript implementation, exported so tests can hold it against Node's. */
export const portableDigest: DigestImpl = {
  sha256: () => new PortableSha256(),
  hmacSha256(secret, message) {
    // RFC 2104 with a 64-byte block; the key is the secret's UTF-8 bytes, as createHmac takes a string.
    let key = encodeText(secret, 'utf8');
    if (key.byteLength > 64) key = new PortableSha256().update(key).digest();
    const inner = new Uint8Array(64).fill(0x36);
    const outer = new Uint8Array(64).fill(0x5c);
    key.forEach((byte, i) => {
      inner[i] = byte ^ 0x36;
      outer[i] = byte ^ 0x5c;
    });
    const innerHash = new PortableSha256().update(inner).update(encodeText(message, 'utf8')).digest();
    return new PortableSha256().update(outer).update(innerHash).digest();
  },
};

type NodeCrypto = typeof import('node:crypto');
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
  'node:crypto',
) as NodeCrypto | undefined;

const nodeDigest: DigestImpl | undefined = nodeCrypto && {
  sha256() {
    const hash = nodeCrypto.createHash('sha256');
    const wrapped: Sha256 = {
      update(bytes) {
        hash.update(bytes);
        return wrapped;
      },
      digest: () => hash.digest(),
    };
    return wrapped;
  },
  hmacSha256: (secret, message) => nodeCrypto.createHmac('sha256', secret).update(message, 'utf8').digest(),
};

const digest = nodeDigest ?? portableDigest;

/** An incremental SHA-256. */
export const sha256 = digest.sha256;
/**
 * The SHA-256 of `bytes`, in one pass. A large file's digest is computed once and handed to whatever needs it
 * (the SOP claim, the catalog, the PUT's checksum and signature): each pass over a 10 MB radiograph costs ~7 ms of CPU.
 */
export function sha256Of(bytes: Uint8Array): Uint8Array {
  return sha256().update(bytes).digest();
}
/** HMAC-SHA-256 keyed by the secret's UTF-8 bytes over the message's UTF-8 bytes. */
export const hmacSha256 = digest.hmacSha256;
