/**
 * CRC-32 (IEEE 802.3, as zlib computes it) wherever the pure layers run: node:zlib's when the runtime has it (reached
 * through process.getBuiltinModule, as digest.ts reaches node:crypto), else a table in plain TypeScript. Both give the
 * same value (test/unit/common/crc32.test.ts). A fingerprint, not a digest: equal values say two byte runs may be
 * equal, never that they are.
 */
type Crc32 = (bytes: Uint8Array, previous?: number) => number;

const nodeZlib = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:zlib') as
  { crc32?: Crc32 } | undefined;

const TABLE = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The table-driven CRC-32, continuing from `previous` (a CRC-32 of the bytes before) as zlib's does. */
export function portableCrc32(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC-32 of `bytes`, continuing from `previous`. */
export const crc32: Crc32 = nodeZlib?.crc32 ?? portableCrc32;
