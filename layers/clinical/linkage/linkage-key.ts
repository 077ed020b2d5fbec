/**
 * The linkage key: held by the sites and the honest broker, never by the commons. A key a
 * guess could find would let anyone who sees the tokens test candidate identities against
 * them (a dictionary attack), so a short or low-variety key is refused.
 */
export const MIN_LINKAGE_KEY_BYTES = 32;

export class WeakLinkageKey extends Error {
  override readonly name = 'WeakLinkageKey';
}

/**
 * The key from its file's content: hex (64+ digits) is decoded, otherwise the bytes are
 * the key, surrounding whitespace trimmed. At least 32 bytes with at least 16 distinct
 * byte values (`openssl rand -hex 32` makes one).
 */
export function linkageKeyFrom(content: Uint8Array): Uint8Array {
  const text = Buffer.from(content).toString('latin1').trim();
  const key = /^(?:[0-9a-fA-F]{2}){32,}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'latin1');
  if (key.length < MIN_LINKAGE_KEY_BYTES)
    throw new WeakLinkageKey(
      `the linkage key has ${key.length} bytes; it needs at least ${MIN_LINKAGE_KEY_BYTES} (make one with: openssl rand -hex 32)`,
    );
  if (new Set(key).size < 16)
    throw new WeakLinkageKey('the linkage key repeats too few byte values to be random (make one with: openssl rand -hex 32)');
  return new Uint8Array(key);
}
